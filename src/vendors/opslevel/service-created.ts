/**
 * @module
 * OpsLevel's service-creation webhook context
 * (docs/vendors/opslevel.md): schema, and the catalog entry it
 * describes.
 */
import { z } from "zod";
import type { ServiceView } from "../../catalog/catalog";
import { SLUG } from "../../catalog/catalog";
import { optionalText, requiredText } from "../fields";

const repositorySchema = z.looseObject({
  deep_url: optionalText,
  repository: z.looseObject({ url: optionalText }).nullish(),
});

export const opslevelServiceCreatedSchema = z.looseObject({
  service: z.looseObject({
    slug: requiredText.regex(SLUG, { message: "must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit" }),
    name: requiredText,
    owner: z.looseObject({ slug: optionalText, name: optionalText }).nullish(),
    service_repositories: z.array(repositorySchema).nullish(),
  }),
  template_run: z.looseObject({ outputs: z.looseObject({ repo_url: optionalText }).nullish() }).nullish(),
});

export type OpsLevelServiceCreated = z.output<typeof opslevelServiceCreatedSchema>;

/**
 * The catalog entry of a newly created OpsLevel service: its slug, its name (also an alias, as
 * other tools name services by display name), its owner team's slug, and every repository the
 * context links to it.
 */
export function serviceFromContext(body: OpsLevelServiceCreated): ServiceView {
  const { service } = body;
  const repositories = [
    ...(service.service_repositories ?? []).flatMap((r) => [r.repository?.url ?? r.deep_url].filter((u): u is string => u !== null && u !== undefined)),
    ...(body.template_run?.outputs?.repo_url ? [body.template_run.outputs.repo_url] : []),
  ];
  return {
    slug: service.slug,
    name: service.name,
    team: service.owner?.slug ?? service.owner?.name ?? null,
    aliases: service.name.toLowerCase() === service.slug.toLowerCase() ? [] : [service.name],
    repositories,
  };
}
