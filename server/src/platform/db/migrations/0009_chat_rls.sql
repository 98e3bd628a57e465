SELECT atelier_enable_tenancy('chat_profiles');
--> statement-breakpoint
SELECT atelier_enable_tenancy('chat_conversations');
--> statement-breakpoint
SELECT atelier_enable_tenancy('chat_messages');
--> statement-breakpoint
SELECT atelier_enable_tenancy('chat_memories');
