import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { parseMcpServerSettings } from './config.js';

describe('MCP server settings', () => {
  it('binds to loopback on 8080 by default', () => {
    const settings = parseMcpServerSettings({});
    expect(settings.TESTIO_HTTP_HOST).toBe('127.0.0.1');
    expect(settings.TESTIO_HTTP_PORT).toBe(8080);
    expect(settings.AUTO_ACCEPTANCE_ALERT_THRESHOLD).toBe(0.2);
    expect(settings.TESTIO_DEMO_MODE).toBe(false);
    expect(settings.ENABLED_TOOLS).toBeUndefined();
  });

  it("accepts the reference's SHUTDOWN_GRACE_PERIOD_SECONDS=10.0", () => {
    expect(
      parseMcpServerSettings({ SHUTDOWN_GRACE_PERIOD_SECONDS: '10.0' }).SHUTDOWN_GRACE_PERIOD_SECONDS,
    ).toBe(10);
    expect(() => parseMcpServerSettings({ SHUTDOWN_GRACE_PERIOD_SECONDS: '90' })).toThrow(/at most 60/);
  });

  it('stops on a port out of range, naming the variable', () => {
    expect(() => parseMcpServerSettings({ TESTIO_HTTP_PORT: '70000' })).toThrow(InvalidInputError);
    expect(() => parseMcpServerSettings({ TESTIO_HTTP_PORT: '70000' })).toThrow(/TESTIO_HTTP_PORT='70000'/);
  });

  it('reads tool lists as comma strings or JSON arrays', () => {
    expect(parseMcpServerSettings({ ENABLED_TOOLS: 'search, list_products' }).ENABLED_TOOLS).toEqual([
      'search',
      'list_products',
    ]);
    expect(parseMcpServerSettings({ DISABLED_TOOLS: '["sync_data"]' }).DISABLED_TOOLS).toEqual(['sync_data']);
    expect(parseMcpServerSettings({ TESTIO_TOOLSETS: 'discovery,search' }).TESTIO_TOOLSETS).toEqual([
      'discovery',
      'search',
    ]);
    expect(
      parseMcpServerSettings({ TESTIO_HTTP_ALLOWED_HOSTS: 'mcp.internal' }).TESTIO_HTTP_ALLOWED_HOSTS,
    ).toEqual(['mcp.internal']);
  });

  it('refuses ENABLED_TOOLS and DISABLED_TOOLS together', () => {
    expect(() => parseMcpServerSettings({ ENABLED_TOOLS: 'search', DISABLED_TOOLS: 'sync_data' })).toThrow(
      /cannot be used simultaneously/,
    );
  });

  it('checks the alert threshold is a fraction', () => {
    expect(
      parseMcpServerSettings({ AUTO_ACCEPTANCE_ALERT_THRESHOLD: '0.35' }).AUTO_ACCEPTANCE_ALERT_THRESHOLD,
    ).toBe(0.35);
    expect(() => parseMcpServerSettings({ AUTO_ACCEPTANCE_ALERT_THRESHOLD: '35' })).toThrow(
      /AUTO_ACCEPTANCE_ALERT_THRESHOLD='35'/,
    );
  });
});
