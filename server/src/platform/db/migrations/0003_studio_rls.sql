SELECT atelier_enable_tenancy('persona_studio');
--> statement-breakpoint
SELECT atelier_enable_tenancy('providers');
--> statement-breakpoint
SELECT atelier_enable_tenancy('generation_jobs');
--> statement-breakpoint
SELECT atelier_enable_tenancy('captions');
--> statement-breakpoint
SELECT atelier_enable_tenancy('daily_plan_runs');
--> statement-breakpoint
-- audit_log.seq is filled by its sequence on insert, which the app role performs.
GRANT USAGE, SELECT ON SEQUENCE audit_log_seq_seq TO atelier_app;
