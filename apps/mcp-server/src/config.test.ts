import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { parseMcpServerSettings } from './config.js';

describe('MCP server settings', () => {
  it('binds to loopback on 8080 by default', () => {
    const settings = parseMcpServerSettings({});
    expect(settings.TESTIO_HTTP_HOST).toBe('127.0.0.1');
    expect(settings.TESTIO_HTTP_PORT).toBe(8080);
  });

  it('stops on a port out of range, naming the variable', () => {
    expect(() => parseMcpServerSettings({ TESTIO_HTTP_PORT: '70000' })).toThrow(InvalidInputError);
    expect(() => parseMcpServerSettings({ TESTIO_HTTP_PORT: '70000' })).toThrow(/TESTIO_HTTP_PORT='70000'/);
  });
});
