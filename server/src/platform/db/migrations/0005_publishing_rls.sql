SELECT atelier_enable_tenancy('post_targets');
--> statement-breakpoint
SELECT atelier_enable_tenancy('slot_templates');
