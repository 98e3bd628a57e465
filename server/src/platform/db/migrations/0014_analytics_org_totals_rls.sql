SELECT atelier_enable_tenancy('analytics_org_daily');
--> statement-breakpoint
GRANT SELECT ON analytics_org_daily TO atelier_grafana;
--> statement-breakpoint
CREATE POLICY grafana_read ON analytics_org_daily FOR SELECT TO atelier_grafana USING (true);
