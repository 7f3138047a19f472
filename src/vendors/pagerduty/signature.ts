/**
 * @module
 * PagerDuty's `X-PagerDuty-Signature` header: `v1=<hex>` values separated by commas (several
 * while a signing secret is being rotated).
 */

/**
 * The hex digests the header offers; entries of other versions or malformed ones are skipped.
 * @example pagerdutySignatures("v1=ab12..., v1=cd34...") // ["ab12...", "cd34..."]
 */
export function pagerdutySignatures(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => /^v1=([0-9a-fA-F]{64})$/.exec(part.trim())?.[1])
    .filter((hex): hex is string => hex !== undefined);
}
