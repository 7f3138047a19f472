/**
 * @module
 * The ingest URLs of an integration, as its creator will paste them into a pipeline.
 */
import type { Vendor } from "../ingest/protocol";

/**
 * Every ingest URL of an integration of this vendor.
 * @example ingestUrls("https://dora.example.com", "opslevel", id).deploy // "https://dora.example.com/integrations/deploy/<id>"
 */
export function ingestUrls(origin: string, vendor: Vendor, id: string): Record<string, string> {
  switch (vendor) {
    case "opslevel":
      return { deploy: `${origin}/integrations/deploy/${id}`, service_created: `${origin}/integrations/opslevel/${id}/service-created` };
    case "devlake": {
      const base = `${origin}/api/rest/plugins/webhook/${id}`;
      return { deployments: `${base}/deployments`, issues: `${base}/issues`, close_issue: `${base}/issue/{issueKey}/close` };
    }
    case "devgrid":
      return { events: `${origin}/events` };
    case "harness-sei":
      return { custom_cicd: `${origin}/v1/custom-cicd` };
    case "github":
    case "gitlab":
    case "pagerduty":
      return { webhook: `${origin}/webhooks/${vendor}/${id}` };
    case "generic":
      return { deployments: `${origin}/webhooks/generic/${id}/deployments`, incidents: `${origin}/webhooks/generic/${id}/incidents` };
  }
}
