SELECT atelier_enable_tenancy('analytics_daily');
--> statement-breakpoint
SELECT atelier_enable_tenancy('analytics_settings');
--> statement-breakpoint
SELECT atelier_enable_tenancy('analytics_destinations');
--> statement-breakpoint
SELECT atelier_enable_tenancy('analytics_reports');
--> statement-breakpoint
SELECT atelier_enable_tenancy('analytics_alerts');
--> statement-breakpoint
SELECT atelier_enable_tenancy('analytics_deliveries');
--> statement-breakpoint
-- Grafana's business dashboard reads the daily rollups (and the names that label them) as this role,
-- read-only. It cannot log in until the deployment gives it a password (deploy/docker-compose.yml,
-- grafana-db-init); it sees every organization of the install, like the install's operator does.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atelier_grafana') THEN
    CREATE ROLE atelier_grafana NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO atelier_grafana;
--> statement-breakpoint
GRANT SELECT ON analytics_daily TO atelier_grafana;
--> statement-breakpoint
GRANT SELECT (id, name) ON organizations TO atelier_grafana;
--> statement-breakpoint
GRANT SELECT (id, org_id, name, timezone) ON personas TO atelier_grafana;
--> statement-breakpoint
GRANT SELECT (id, org_id, persona_id, platform, handle) ON channels TO atelier_grafana;
--> statement-breakpoint
CREATE POLICY grafana_read ON analytics_daily FOR SELECT TO atelier_grafana USING (true);
--> statement-breakpoint
CREATE POLICY grafana_read ON organizations FOR SELECT TO atelier_grafana USING (true);
--> statement-breakpoint
CREATE POLICY grafana_read ON personas FOR SELECT TO atelier_grafana USING (true);
--> statement-breakpoint
CREATE POLICY grafana_read ON channels FOR SELECT TO atelier_grafana USING (true);
