-- Tenancy is enforced by Row-Level Security: requests and jobs run as the non-superuser role
-- atelier_app with app.org_id set per transaction (see platform/db/database.ts, withOrg), so a query
-- that forgets its WHERE clause still sees one organization only.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atelier_app') THEN
    CREATE ROLE atelier_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
--> statement-breakpoint
-- The connecting (migration) user must be able to SET ROLE to it.
DO $$
BEGIN
  EXECUTE format('GRANT atelier_app TO %I', current_user);
EXCEPTION WHEN others THEN
  -- already a member, or the role is the current user itself
  NULL;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO atelier_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION atelier_current_org() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
--> statement-breakpoint
-- One call per tenant table, here and in every later capability's migration.
CREATE OR REPLACE FUNCTION atelier_enable_tenancy(tbl regclass, org_column text DEFAULT 'org_id') RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s TO atelier_app USING (%I = atelier_current_org()) WITH CHECK (%I = atelier_current_org())',
    tbl, org_column, org_column);
  -- The owner (migrations, system tasks) keeps full access; FORCE only matters for atelier_app.
  EXECUTE format('DROP POLICY IF EXISTS owner_access ON %s', tbl);
  EXECUTE format('CREATE POLICY owner_access ON %s TO current_user USING (true) WITH CHECK (true)', tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO atelier_app', tbl);
END $$;
--> statement-breakpoint
SELECT atelier_enable_tenancy('organizations', 'id');
--> statement-breakpoint
SELECT atelier_enable_tenancy('memberships');
--> statement-breakpoint
SELECT atelier_enable_tenancy('persona_assignments');
--> statement-breakpoint
SELECT atelier_enable_tenancy('api_keys');
--> statement-breakpoint
SELECT atelier_enable_tenancy('personas');
--> statement-breakpoint
SELECT atelier_enable_tenancy('channels');
--> statement-breakpoint
SELECT atelier_enable_tenancy('secrets');
--> statement-breakpoint
SELECT atelier_enable_tenancy('media_assets');
--> statement-breakpoint
SELECT atelier_enable_tenancy('posts');
--> statement-breakpoint
SELECT atelier_enable_tenancy('audit_log');
--> statement-breakpoint
-- Audit is append-only for everyone, owner included.
REVOKE UPDATE, DELETE ON audit_log FROM atelier_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION atelier_audit_append_only() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION atelier_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION atelier_audit_append_only();
--> statement-breakpoint
-- Users are global; the app role sees the members of its current organization, never password data.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY member_visibility ON users TO atelier_app
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id));
--> statement-breakpoint
CREATE POLICY owner_access ON users TO current_user USING (true) WITH CHECK (true);
--> statement-breakpoint
GRANT SELECT (id, email, display_name, locale, totp_enabled, created_at) ON users TO atelier_app;
--> statement-breakpoint
-- refresh_tokens stays owner-only: sessions are handled by the auth service outside any tenant.
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
