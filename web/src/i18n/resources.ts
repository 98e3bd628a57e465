// The core strings plus one file per area, so work on one area never edits another's strings.
// Add an area: create areas/<area>.en.json and .fr.json (one top-level key, the area's name) and list it here.
import core from './en.json';
import coreFr from './fr.json';
import variants from './areas/variants.en.json';
import variantsFr from './areas/variants.fr.json';
import engagement from './areas/engagement.en.json';
import engagementFr from './areas/engagement.fr.json';
import planning from './areas/planning.en.json';
import planningFr from './areas/planning.fr.json';
import catalogue from './areas/catalogue.en.json';
import catalogueFr from './areas/catalogue.fr.json';
import crm from './areas/crm.en.json';
import crmFr from './areas/crm.fr.json';
import billing from './areas/billing.en.json';
import billingFr from './areas/billing.fr.json';
import connect from './areas/connect.en.json';
import connectFr from './areas/connect.fr.json';
import chat from './areas/chat.en.json';
import chatFr from './areas/chat.fr.json';
import analytics from './areas/analytics.en.json';
import analyticsFr from './areas/analytics.fr.json';

export const en = { ...core, ...variants, ...engagement, ...planning, ...catalogue, ...crm, ...billing, ...connect, ...chat, ...analytics };
export const fr = { ...coreFr, ...variantsFr, ...engagementFr, ...planningFr, ...catalogueFr, ...crmFr, ...billingFr, ...connectFr, ...chatFr, ...analyticsFr };
