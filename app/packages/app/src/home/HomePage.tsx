// The portal's home at "/": the signed-in person's tenancies, how to get a new one or join
// one, the Core Platform docs and search. Everything comes from the catalog (the tenants'
// Systems, owned by their teams' Groups) and the identity of the signed-in person.
import { FormEvent, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import {
  Content,
  Header,
  InfoCard,
  Link,
  Page,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import {
  Button,
  Grid,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import { joinLinkTitle, paths, useLoad } from '../lib';

type Me = { name: string; tenancies: Entity[] };

function useMyTenancies() {
  const identity = useApi(identityApiRef);
  const catalog = useApi(catalogApiRef);
  return useLoad<Me>(async () => {
    const [id, profile] = await Promise.all([
      identity.getBackstageIdentity(),
      identity.getProfileInfo(),
    ]);
    // A tenancy is a System owned by its team's Group; the person's ownership refs are
    // their user and the groups they are a member of (the GitHub organisation sync).
    const { items } = await catalog.getEntities({
      filter: {
        kind: 'system',
        'metadata.tags': 'tenant',
        'relations.ownedBy': id.ownershipEntityRefs,
      },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.description'],
    });
    const login = id.userEntityRef.split('/').pop() ?? id.userEntityRef;
    return { name: profile.displayName ?? login, tenancies: items };
  }, []);
}

const tenancyPath = (e: Entity) =>
  `/catalog/${e.metadata.namespace ?? 'default'}/system/${e.metadata.name}/tenancy`;

function MyTenancies({ me }: { me: ReturnType<typeof useMyTenancies> }) {
  if (me.loading) return <Progress />;
  if (me.error) {
    return <WarningPanel title="Could not load your tenancies" message={me.error.message} />;
  }
  const tenancies = me.value?.tenancies ?? [];
  if (tenancies.length === 0) {
    return (
      <Typography>
        You are not a member of any tenancy yet. Request a new one, or join an existing one.
      </Typography>
    );
  }
  return (
    <List dense aria-label="Your tenancies">
      {tenancies.map(e => (
        <ListItem key={e.metadata.name}>
          <ListItemText
            primary={<Link to={tenancyPath(e)}>{e.metadata.name}</Link>}
            secondary={e.metadata.description}
          />
        </ListItem>
      ))}
    </List>
  );
}

function SearchBox() {
  const navigate = useNavigate();
  const [query, setQuery] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/search?query=${encodeURIComponent(query)}`);
  };
  return (
    <form onSubmit={submit} role="search" style={{ display: 'flex', gap: 8 }}>
      <TextField
        id="home-search"
        fullWidth
        variant="outlined"
        size="small"
        placeholder="Search tenancies, services and docs"
        inputProps={{ 'aria-label': 'Search the portal' }}
        value={query}
        onChange={e => setQuery(e.target.value)}
      />
      <Button type="submit" variant="contained" color="primary">
        Search
      </Button>
    </form>
  );
}

export function HomePage() {
  const me = useMyTenancies();
  const greeting = me.value ? `Welcome, ${me.value.name}` : 'Welcome';
  return (
    <Page themeId="home">
      <Header title="Core Platform" subtitle={`${greeting}: your single place for the platform.`} />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <SearchBox />
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Your tenancies">
              <MyTenancies me={me} />
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Request a tenancy">
              <Typography paragraph>
                A tenancy is a namespace in each environment you choose, with its quota, a
                GitHub team and your directory groups for cluster access. The request opens a
                pull request on the tenants repository; once merged, it is provisioned.
              </Typography>
              <Link to={paths.requestTenancy}>
                <Button variant="contained" color="primary">
                  Request a tenancy
                </Button>
              </Link>
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Join a tenancy">
              <Typography paragraph>
                Membership lives in GitHub and your directory, not in the portal. Open the
                tenancy, then follow "{joinLinkTitle}": a maintainer of its GitHub team
                approves. Cluster access comes from the tenancy's admin and read-only groups,
                which its page names.
              </Typography>
              <Link to={paths.allTenancies}>Browse all tenancies</Link>
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Core Platform docs">
              <List dense>
                <ListItem>
                  <ListItemText
                    primary={<Link to={paths.docs}>Core Platform documentation</Link>}
                    secondary="What the platform gives you, for tenants and operators"
                  />
                </ListItem>
                <ListItem>
                  <ListItemText
                    primary={<Link to={paths.requestDocs}>Requesting a tenancy</Link>}
                    secondary="What a tenancy is, how it is requested and reviewed"
                  />
                </ListItem>
              </List>
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
