CREATE TABLE "analytics_org_daily" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"family" text NOT NULL,
	"currency" text DEFAULT '' NOT NULL,
	"published" bigint DEFAULT 0 NOT NULL,
	"failed" bigint DEFAULT 0 NOT NULL,
	"impressions" bigint DEFAULT 0 NOT NULL,
	"likes" bigint DEFAULT 0 NOT NULL,
	"comments" bigint DEFAULT 0 NOT NULL,
	"shares" bigint DEFAULT 0 NOT NULL,
	"clicks" bigint DEFAULT 0 NOT NULL,
	"followers" bigint,
	"follower_change" bigint DEFAULT 0 NOT NULL,
	"link_clicks" bigint DEFAULT 0 NOT NULL,
	"link_subscribers" bigint DEFAULT 0 NOT NULL,
	"gross_minor" bigint DEFAULT 0 NOT NULL,
	"fee_minor" bigint DEFAULT 0 NOT NULL,
	"net_minor" bigint DEFAULT 0 NOT NULL,
	"transactions" bigint DEFAULT 0 NOT NULL,
	"cost_minor" bigint DEFAULT 0 NOT NULL,
	"gen_jobs" bigint DEFAULT 0 NOT NULL,
	"gen_failed" bigint DEFAULT 0 NOT NULL,
	"gen_ms" bigint DEFAULT 0 NOT NULL,
	"chat_replies" bigint DEFAULT 0 NOT NULL,
	"chat_failed" bigint DEFAULT 0 NOT NULL,
	"chat_latency_ms" bigint DEFAULT 0 NOT NULL,
	"engaged_seen" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_org_daily_org_id_day_family_currency_pk" PRIMARY KEY("org_id","day","family","currency")
);
--> statement-breakpoint
ALTER TABLE "analytics_org_daily" ADD CONSTRAINT "analytics_org_daily_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_daily_channel_idx" ON "analytics_daily" USING btree ("channel_id","family","day");