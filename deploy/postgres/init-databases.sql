-- One database and one login role per service; a service's role cannot connect to another's
-- database. Idempotent: safe to run on every `make dev`. Run by psql as a superuser, both by
-- deploy/local/platform.py and as a docker-entrypoint-initdb.d script of the postgres image, so
-- it uses psql's \gexec (CREATE DATABASE cannot run inside a DO block) and \connect.
\set ON_ERROR_STOP on

-- Roles: created when missing, then (re)set to LOGIN, no special privileges, dev password.
SELECT format('CREATE ROLE %I', service)
FROM unnest(ARRAY['developer', 'greenlight', 'subscription', 'payment']) AS service
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = service)
\gexec

SELECT format(
    'ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS '
    'PASSWORD %L',
    service, service || '-dev-password'
)
FROM unnest(ARRAY['developer', 'greenlight', 'subscription', 'payment']) AS service
\gexec

-- Databases, each owned by its role.
SELECT format('CREATE DATABASE %I OWNER %I', service, service)
FROM unnest(ARRAY['developer', 'greenlight', 'subscription', 'payment']) AS service
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = service)
\gexec

-- PUBLIC gets CONNECT on every new database by default: take it away so only the owner (and
-- superusers) can connect.
SELECT format('ALTER DATABASE %I OWNER TO %I', service, service),
       format('REVOKE ALL ON DATABASE %I FROM PUBLIC', service)
FROM unnest(ARRAY['developer', 'greenlight', 'subscription', 'payment']) AS service
\gexec

-- The role owns its `public` schema, so its migrations can create and alter everything there.
\connect developer
ALTER SCHEMA public OWNER TO developer;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

\connect greenlight
ALTER SCHEMA public OWNER TO greenlight;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

\connect subscription
ALTER SCHEMA public OWNER TO subscription;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

\connect payment
ALTER SCHEMA public OWNER TO payment;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
