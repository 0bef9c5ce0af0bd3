import { describe, expect, it } from 'vitest';
import { InvalidInputError, isDomainError, ProductNotFoundError, UpstreamError } from './errors.js';

describe('domain errors', () => {
  it('renders the three-part text and names the tool that lists valid ids', () => {
    const error = new ProductNotFoundError(99999);
    expect(error.toUserText()).toBe(
      "❌ Product ID '99999' not found\n" +
        'ℹ️ This product may not exist, or it is not visible to this account\n' +
        '💡 Use the list_products tool to see available products',
    );
    expect(error.code).toBe('not_found');
    expect(error.name).toBe('ProductNotFoundError');
    expect(isDomainError(error)).toBe(true);
  });

  it('keeps every offending field of an invalid input', () => {
    const error = new InvalidInputError({
      message: 'Invalid input',
      issues: [
        { field: 'per_page', message: 'must be at most 200' },
        { field: 'status', message: "unknown status 'done'" },
      ],
    });
    expect(error.issues.map((i) => i.field)).toEqual(['per_page', 'status']);
  });

  it('classifies upstream failures by status', () => {
    const op = { method: 'GET', path: 'products' };
    expect(new UpstreamError({ message: 'x', status: 401, operation: op }).code).toBe('unauthorized');
    expect(new UpstreamError({ message: 'x', status: 429, operation: op }).code).toBe('rate_limited');
    expect(new UpstreamError({ message: 'x', status: 0, operation: op }).code).toBe('upstream_unavailable');
    expect(new UpstreamError({ message: 'x', status: 503, operation: op }).code).toBe('upstream_unavailable');
    expect(new UpstreamError({ message: 'x', status: 422, operation: op }).code).toBe('upstream_error');
  });

  it('serialises an upstream error without its cause', () => {
    const cause = { config: { headers: { Authorization: 'Token secret-value' } } };
    const error = new UpstreamError({
      message: 'boom',
      status: 500,
      operation: { method: 'GET', path: 'products' },
      cause,
    });
    expect(JSON.stringify(error)).not.toContain('secret-value');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ status: 500, code: 'upstream_unavailable' });
  });
});
