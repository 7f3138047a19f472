/**
 * @module
 * The dashboard's HTML shell, rendered on the server: every control and the six metric regions
 * exist before the script runs, so the page is usable by keyboard and screen reader from the start.
 */
import type { FC } from "hono/jsx";

/** The six cards: the metric's key in the API and its name, which is also the region's accessible name. */
const METRIC_CARDS = [
  ["deployment_frequency", "Deployment frequency"],
  ["change_lead_time", "Change lead time"],
  ["change_failure_rate", "Change failure rate"],
  ["failed_deployment_recovery_time", "Failed deployment recovery time"],
  ["time_to_restore_service", "Time to restore service"],
  ["deployment_rework_rate", "Deployment rework rate"],
] as const;

const WINDOWS = [
  ["7", "Last 7 days"],
  ["30", "Last 30 days"],
  ["90", "Last 90 days"],
  ["180", "Last 180 days"],
  ["365", "Last 365 days"],
  ["custom", "Custom range"],
] as const;

const Card: FC<{ metric: string; name: string }> = ({ metric, name }) => (
  <section class="card" id={`card-${metric}`} data-metric={metric} aria-labelledby={`title-${metric}`}>
    <h2 id={`title-${metric}`}>{name}</h2>
    <p class="value" data-part="value">…</p>
    <p class="counts" data-part="counts"></p>
    <p class="meta">
      <span class="level" data-part="level"></span> <span class="change" data-part="change"></span>
    </p>
    <div class="chart" data-part="chart"></div>
    <button type="button" class="drill" data-part="drill" disabled>
      Show records
    </button>
  </section>
);

const TokenForm: FC<{ id: string; label: string; hint: string }> = ({ id, label, hint }) => (
  <form class="token" id={`${id}-form`}>
    <label for={id}>{label}</label>
    <input id={id} name={id} type="password" autocomplete="off" spellcheck={false} aria-describedby={`${id}-hint`} />
    <button type="submit">Save</button>
    <button type="button" data-forget={id}>
      Forget
    </button>
    <small id={`${id}-hint`}>{hint}</small>
  </form>
);

/** The whole page; `assetVersion` busts caches of the script and stylesheet when they change. */
export const DashboardPage: FC<{ assetVersion: string }> = ({ assetVersion }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>DORA metrics</title>
      <link rel="stylesheet" href={`/dashboard/app.css?v=${assetVersion}`} />
      <script src={`/dashboard/app.js?v=${assetVersion}`} defer></script>
    </head>
    <body>
      <a class="skip" href="#cards">
        Skip to the metrics
      </a>
      <header>
        <h1>DORA metrics</h1>
        <p id="as-of" role="status">
          Loading…
        </p>
        <button type="button" id="recompute" hidden>
          Recompute now
        </button>
      </header>
      <main>
        <section aria-labelledby="access-title" class="access">
          <h2 id="access-title" class="visually-hidden">
            Access
          </h2>
          <TokenForm id="read-token" label="Read token" hint="Kept in this browser only; sent as a bearer header, never in a URL." />
          <TokenForm id="admin-token" label="Admin token" hint="Only for the integrations view and recompute; kept in this browser only." />
        </section>
        <form id="filters" aria-label="Filters">
          <label>
            Service
            <select name="service">
              <option value="">All services</option>
            </select>
          </label>
          <label>
            Team
            <select name="team">
              <option value="">All teams</option>
            </select>
          </label>
          <label>
            Environments
            <input name="environment" type="text" placeholder="production" aria-describedby="environment-hint" />
          </label>
          <small id="environment-hint" class="visually-hidden">
            One environment, or several separated by commas
          </small>
          <label>
            Window
            <select name="window">
              {WINDOWS.map(([value, label]) => (
                <option value={value} selected={value === "30"}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label class="custom">
            From
            <input name="from" type="date" />
          </label>
          <label class="custom">
            To (exclusive)
            <input name="to" type="date" />
          </label>
          <label>
            Benchmark
            <select name="benchmark">
              <option value="2023">DORA 2023</option>
              <option value="2021">DORA 2021</option>
            </select>
          </label>
          <button type="submit">Apply</button>
        </form>
        <div id="notice" role="status" aria-live="polite"></div>
        <div id="cards" class="cards" tabindex={-1}>
          {METRIC_CARDS.map(([metric, name]) => (
            <Card metric={metric} name={name} />
          ))}
        </div>
        <section id="drill" aria-labelledby="drill-title" tabindex={-1} hidden>
          <h2 id="drill-title">Records</h2>
          <p id="drill-summary"></p>
          <div class="scroll" id="drill-table"></div>
          <button type="button" id="drill-more" hidden>
            Load more
          </button>
          <button type="button" id="drill-close">
            Close records
          </button>
        </section>
        <section id="admin" aria-labelledby="admin-title" hidden>
          <h2 id="admin-title">Integrations</h2>
          <div id="integrations"></div>
          <h2 id="suggestions-title">Unknown services</h2>
          <div id="suggestions"></div>
        </section>
      </main>
    </body>
  </html>
);
