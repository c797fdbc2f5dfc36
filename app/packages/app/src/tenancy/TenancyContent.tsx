// The tenancy page: a tab on each tenant's System. Everything comes from what the platform
// already publishes: the System's annotations and links (access/catalog.go), its relations
// (the team's Group and its members from the organisation sync, the Components that name the
// System as theirs) and the namespace's objects read by the Kubernetes plugin through the
// System's label selector (the ResourceQuota, LimitRange and workloads labelled tenant=<name>).
import { ReactNode } from 'react';
import {
  InfoCard,
  Link,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  EntityRefLinks,
  catalogApiRef,
  getEntityRelations,
  useEntity,
  useEntityOwnership,
} from '@backstage/plugin-catalog-react';
import { useKubernetesObjects } from '@backstage/plugin-kubernetes-react';
import {
  Entity,
  RELATION_HAS_MEMBER,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  Grid,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import {
  annotations,
  joinLinkTitle,
  listAnnotation,
  paths,
  useLoad,
} from '../lib';

// The parts of the Kubernetes objects the page reads.
type KubeObject = {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    hard?: Record<string, string>;
    limits?: Array<{
      type: string;
      default?: Record<string, string>;
      defaultRequest?: Record<string, string>;
      max?: Record<string, string>;
    }>;
    replicas?: number;
  };
  status?: { used?: Record<string, string>; readyReplicas?: number };
};
type ClusterView = { cluster: string; byType: Record<string, KubeObject[]> };

const workloadTypes: Record<string, string> = {
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  cronjobs: 'CronJob',
};

function useClusters(entity: Entity): { loading: boolean; error?: string; clusters: ClusterView[] } {
  const { kubernetesObjects, loading, error } = useKubernetesObjects(entity);
  const clusters = (kubernetesObjects?.items ?? []).map(item => {
    const byType: Record<string, KubeObject[]> = {};
    for (const r of item.resources) {
      byType[r.type] = r.resources as KubeObject[];
    }
    return { cluster: item.cluster.title ?? item.cluster.name, byType };
  });
  return { loading, error, clusters };
}

const Rows = ({ head, rows }: { head: string[]; rows: ReactNode[][] }) => (
  <Table size="small">
    <TableHead>
      <TableRow>
        {head.map(h => (
          <TableCell key={h}>{h}</TableCell>
        ))}
      </TableRow>
    </TableHead>
    <TableBody>
      {rows.map((cells, i) => (
        <TableRow key={i}>
          {cells.map((c, j) => (
            <TableCell key={j}>{c}</TableCell>
          ))}
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

const resources = (m?: Record<string, string>) =>
  Object.entries(m ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

type Kube = ReturnType<typeof useClusters>;

function NamespacesCard({ entity, kube }: { entity: Entity; kube: Kube }) {
  const name = entity.metadata.name;
  const envs = listAnnotation(entity, annotations.environments);
  return (
    <InfoCard title="Namespaces">
      <Typography paragraph>
        The tenancy has the namespace <b>{name}</b> in each of its environments, with the same
        quota and container limits.
      </Typography>
      <Rows head={['Environment', 'Namespace']} rows={envs.map(e => [e, name])} />
      {kube.loading && <Progress />}
      {kube.error && <WarningPanel title="Could not read the clusters" message={kube.error} />}
      {kube.clusters.map(c => {
        const quotas = c.byType.resourcequotas ?? [];
        const limits = c.byType.limitranges ?? [];
        return (
          <div key={c.cluster} style={{ marginTop: 16 }}>
            <Typography variant="h6">
              Cluster {c.cluster}: namespace {name}
            </Typography>
            {quotas.map(q => (
              <div key={q.metadata?.name}>
                <Typography variant="subtitle2">Resource quota {q.metadata?.name}</Typography>
                <Rows
                  head={['Resource', 'Used', 'Hard limit']}
                  rows={Object.entries(q.spec?.hard ?? {})
                    .sort(([a], [b]) => a.localeCompare(b))
                    .map(([k, v]) => [k, q.status?.used?.[k] ?? '-', v])}
                />
              </div>
            ))}
            {limits.map(l => (
              <div key={l.metadata?.name}>
                <Typography variant="subtitle2">Limit range {l.metadata?.name}</Typography>
                <Rows
                  head={['Type', 'Default limit', 'Default request', 'Max']}
                  rows={(l.spec?.limits ?? []).map(x => [
                    x.type,
                    resources(x.default),
                    resources(x.defaultRequest),
                    resources(x.max),
                  ])}
                />
              </div>
            ))}
            {quotas.length + limits.length === 0 && (
              <Typography>No quota or limit range found in this cluster.</Typography>
            )}
          </div>
        );
      })}
    </InfoCard>
  );
}

function TeamCard({ entity }: { entity: Entity }) {
  const catalog = useApi(catalogApiRef);
  const owners = getEntityRelations(entity, RELATION_OWNED_BY);
  const team = useLoad(
    async () => (owners[0] ? catalog.getEntityByRef(owners[0]) : undefined),
    [stringifyEntityRef(entity)],
  );
  const members = team.value ? getEntityRelations(team.value, RELATION_HAS_MEMBER) : [];
  return (
    <InfoCard title="Team and members">
      <Typography paragraph>
        Team: {owners.length ? <EntityRefLinks entityRefs={owners} defaultKind="group" /> : '-'}
      </Typography>
      {team.loading && <Progress />}
      {team.error && <WarningPanel title="Could not load the team" message={team.error.message} />}
      {!team.loading && (
        <Typography component="div">
          Members:{' '}
          {members.length ? (
            <EntityRefLinks entityRefs={members} defaultKind="user" />
          ) : (
            'none synced yet'
          )}
        </Typography>
      )}
    </InfoCard>
  );
}

function TreeCard({ entity }: { entity: Entity }) {
  const catalog = useApi(catalogApiRef);
  const name = entity.metadata.name;
  const parent = entity.metadata.annotations?.[annotations.parent];
  const children = useLoad(
    async () =>
      (
        await catalog.getEntities({
          filter: { kind: 'system', [`metadata.annotations.${annotations.parent}`]: name },
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        })
      ).items,
    [name],
  );
  return (
    <InfoCard title="Parent and children">
      <Typography paragraph>
        Parent:{' '}
        {parent && parent !== 'root' ? (
          <EntityRefLink entityRef={`system:default/${parent}`} />
        ) : (
          'none (a top-level tenancy)'
        )}
      </Typography>
      {children.loading && <Progress />}
      {!children.loading && (
        <Typography component="div">
          Children:{' '}
          {children.value?.length ? <EntityRefLinks entityRefs={children.value} /> : 'none'}
        </Typography>
      )}
    </InfoCard>
  );
}

function ServicesCard({ entity, kube }: { entity: Entity; kube: Kube }) {
  const catalog = useApi(catalogApiRef);
  const ref = stringifyEntityRef(entity);
  const services = useLoad(
    async () =>
      (
        await catalog.getEntities({
          filter: { kind: 'component', 'relations.partOf': ref },
          fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations', 'spec.type'],
        })
      ).items,
    [ref],
  );
  const workloads = kube.clusters.flatMap(c =>
    Object.keys(workloadTypes).flatMap(type =>
      (c.byType[type] ?? []).map(o => ({ cluster: c.cluster, kind: workloadTypes[type], o })),
    ),
  );
  const idOf = (e: Entity) => e.metadata.annotations?.['backstage.io/kubernetes-id'] ?? e.metadata.name;
  const label = (w: { o: KubeObject }) =>
    w.o.metadata?.labels?.['backstage.io/kubernetes-id'] ?? w.o.metadata?.labels?.['app.kubernetes.io/name'];
  const owned = new Set((services.value ?? []).map(idOf));
  const rows: ReactNode[][] = (services.value ?? []).map(s => [
    <EntityRefLink entityRef={s} />,
    String((s.spec as { type?: string } | undefined)?.type ?? '-'),
    workloads
      .filter(w => label(w) === idOf(s))
      .map(w => `${w.kind} ${w.o.metadata?.name} (${w.cluster})`)
      .join(', ') || '-',
  ]);
  for (const w of workloads.filter(x => !owned.has(label(x) ?? ''))) {
    rows.push(['-', 'not in the catalog', `${w.kind} ${w.o.metadata?.name} (${w.cluster})`]);
  }
  return (
    <InfoCard title="Services">
      <Typography paragraph>
        Components whose <code>spec.system</code> is {entity.metadata.name}, and the workloads
        labelled <code>tenant={entity.metadata.name}</code> in its namespace.
      </Typography>
      {(services.loading || kube.loading) && <Progress />}
      {!services.loading && rows.length > 0 && (
        <Rows head={['Component', 'Type', 'Kubernetes workloads']} rows={rows} />
      )}
      {!services.loading && !kube.loading && rows.length === 0 && (
        <Typography>
          No services yet: a repository joins this tenancy with{' '}
          <code>spec.system: {entity.metadata.name}</code> in its catalog-info.yaml.
        </Typography>
      )}
    </InfoCard>
  );
}

function JoinCard({ entity }: { entity: Entity }) {
  const { loading, isOwnedEntity } = useEntityOwnership();
  const a = entity.metadata.annotations ?? {};
  const join = (entity.metadata.links ?? []).find(l => l.title === joinLinkTitle);
  const maintainers = listAnnotation(entity, annotations.teamMaintainers);
  const member = !loading && isOwnedEntity(entity);
  return (
    <InfoCard title="Joining this tenancy">
      {member && (
        <Typography paragraph>
          <b>You already belong to this tenancy</b>: you are a member of its team.
        </Typography>
      )}
      {join ? (
        <Typography paragraph>
          Membership is the tenancy's GitHub team. <Link to={join.url}>{joinLinkTitle}</Link>{' '}
          on GitHub; {maintainers.length ? 'the team maintainers approve: ' : 'the team maintainers approve.'}
          {maintainers.map((m, i) => (
            <span key={m}>
              {i ? ', ' : ''}
              <Link to={`https://github.com/${m}`}>{m}</Link>
            </span>
          ))}
        </Typography>
      ) : (
        <Typography paragraph>
          Membership is the tenancy's team in the organisation's directory, synced to the
          portal: ask the tenancy's contact to add you.
        </Typography>
      )}
      <Rows
        head={['Cluster access', 'Group', 'Who adds members']}
        rows={[
          ['admin role in the namespace', a[annotations.adminGroup] ?? '-', 'the group owners in your directory'],
          ['view role in the namespace', a[annotations.readonlyGroup] ?? '-', 'the group owners in your directory'],
        ]}
      />
      <Typography style={{ marginTop: 16 }}>
        Contact: {a[annotations.contact] ? <Link to={`mailto:${a[annotations.contact]}`}>{a[annotations.contact]}</Link> : '-'}.{' '}
        {a[annotations.viewUrl] && (
          <>
            The tenancy is defined in <Link to={a[annotations.viewUrl]}>its tenant file</Link>; a
            pull request on it changes the tenancy.{' '}
          </>
        )}
        <Link to={paths.requestDocs}>How tenancies work</Link>
      </Typography>
    </InfoCard>
  );
}

export function TenancyContent() {
  const { entity } = useEntity();
  // One read of the clusters serves the namespaces and the services.
  const kube = useClusters(entity);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <JoinCard entity={entity} />
      </Grid>
      <Grid item xs={12} md={6}>
        <TeamCard entity={entity} />
        <div style={{ height: 24 }} />
        <TreeCard entity={entity} />
      </Grid>
      <Grid item xs={12}>
        <NamespacesCard entity={entity} kube={kube} />
      </Grid>
      <Grid item xs={12}>
        <ServicesCard entity={entity} kube={kube} />
      </Grid>
    </Grid>
  );
}
