import type { IocContainer, IocContainerFactory, ServiceIdentifier } from '@tsoa/runtime';
import type { Request } from 'express';

/**
 * tsoa's `iocModule`. The generated routes ask `iocContainer(request).get(Controller)` for a controller
 * per request; the container lives on the express app (`createApp` puts it there), so every app built
 * by the factory has its own dependencies and nothing is a module-level singleton.
 */

export const CONTAINER_KEY = 'tsoaContainer';

/** A factory gets the request, so a controller can be built over the services of its principal's tenant. */
type Factory = (request: Request | undefined) => object;

/** A hand-written container: one factory per controller class, a fresh instance per request. */
export class ControllerContainer implements IocContainer {
  private readonly factories = new Map<unknown, Factory>();

  constructor(private readonly request?: Request) {}

  register<T extends object>(
    controller: abstract new (...args: never[]) => T,
    factory: (request: Request | undefined) => T,
  ): this {
    this.factories.set(controller, factory);
    return this;
  }

  /** The same factories, bound to one request. */
  forRequest(request: Request): ControllerContainer {
    const bound = new ControllerContainer(request);
    for (const [controller, factory] of this.factories) bound.factories.set(controller, factory);
    return bound;
  }

  get<T>(controller: ServiceIdentifier<T>): T;
  get<T>(controller: ServiceIdentifier<T>): Promise<T>;
  get<T>(controller: ServiceIdentifier<T>): T | Promise<T> {
    const factory = this.factories.get(controller);
    if (!factory)
      throw new Error(
        `No factory registered for controller ${(controller as { name?: string }).name ?? '?'}`,
      );
    return factory(this.request) as T;
  }
}

export const iocContainer: IocContainerFactory<Request> = (request) => {
  const container = request.app.locals[CONTAINER_KEY] as ControllerContainer | undefined;
  if (!container) throw new Error('createApp did not install the controller container');
  return container.forRequest(request);
};
