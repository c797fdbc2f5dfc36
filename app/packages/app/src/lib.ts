// Small shared pieces of the portal's own pages (home, tenancy).
import { DependencyList, useEffect, useState } from 'react';
import { Entity } from '@backstage/catalog-model';

/** The annotations access/ writes on a tenant's System (access/catalog.go). */
export const annotations = {
  environments: 'coreplatform.cecg.io/environments',
  adminGroup: 'coreplatform.cecg.io/admin-group',
  readonlyGroup: 'coreplatform.cecg.io/readonly-group',
  parent: 'coreplatform.cecg.io/parent',
  teamMaintainers: 'coreplatform.cecg.io/team-maintainers',
  contact: 'coreplatform.cecg.io/contact-email',
  viewUrl: 'backstage.io/view-url',
};

/** Where the portal's pages point: the Core Platform docs and the tenancy template. */
export const paths = {
  docs: '/docs/default/component/core-platform/',
  requestDocs: '/docs/default/component/core-platform/tenants/request-tenancy/',
  requestTenancy: '/create/templates/default/request-a-tenancy',
  allTenancies: '/catalog?filters%5Bkind%5D=system&filters%5Btags%5D=tenant&filters%5Buser%5D=all',
};

/** The title of the System link by which a tenancy's GitHub team is joined. */
export const joinLinkTitle = 'Request to join this tenancy';

/** A comma-separated annotation as a list; empty when absent. */
export function listAnnotation(entity: Entity, key: string): string[] {
  return (entity.metadata.annotations?.[key] ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** Whether a System is a tenancy (access/ tags every tenant's System "tenant"). */
export function isTenancy(entity: Entity): boolean {
  return (
    entity.kind.toLowerCase() === 'system' &&
    (entity.metadata.tags ?? []).includes('tenant')
  );
}

export type Async<T> = { loading: boolean; value?: T; error?: Error };

/** Runs load when deps change and holds its result (or error). */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Async<T> {
  const [state, setState] = useState<Async<T>>({ loading: true });
  useEffect(() => {
    let live = true;
    setState({ loading: true });
    load().then(
      value => live && setState({ loading: false, value }),
      error => live && setState({ loading: false, error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
