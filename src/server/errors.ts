import { WorkplanError } from '../errors.ts';

/**
 * The HTTP port cannot be bound: taken by another process (EADDRINUSE) or reserved (EACCES).
 * The message names the port and what to do, so the CLI can print it as is.
 */
export class PortInUseError extends WorkplanError {
  readonly port: number;
  readonly host: string;
  constructor(port: number, host: string, options?: ErrorOptions) {
    super(
      'E_PORT_IN_USE',
      `port ${port} is already in use (host ${host}): stop the other process or set PORT to a free port / 端口 ${port} 已被占用`,
      options,
    );
    this.port = port;
    this.host = host;
  }
}

export class PortAccessError extends WorkplanError {
  readonly port: number;
  readonly host: string;
  constructor(port: number, host: string, options?: ErrorOptions) {
    super(
      'E_PORT_ACCESS',
      `port ${port} cannot be opened on host ${host} (permission denied): use a port above 1023 or check HOST`,
      options,
    );
    this.port = port;
    this.host = host;
  }
}
