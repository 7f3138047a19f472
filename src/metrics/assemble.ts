/**
 * @module
 * Turns the figures of one window (from the per-day data or a snapshot) into docs/metrics.md's
 * response object, with rates and levels for the chosen benchmark.
 */
import { daysBetween, type DeployDayStats } from "./calendar";
import { changeFailureRateLevel, deploymentFrequencyLevel, leadTimeLevel, recoveryLevel, type Benchmark } from "./levels";

/** Everything a window's answer is made of, before rates and levels. What snapshots store. */
export interface WindowFigures extends DeployDayStats {
  count: number;
  unsuccessful: number;
  failed: number;
  rework: number;
  lead: { median: number | null; p90: number | null; samples: number; dropped: number };
  recovery: { median: number | null; p90: number | null; samples: number; unrecovered: number };
  restore: { median: number | null; samples: number };
}

/** The figures of a window without any data. */
export function emptyFigures(deployDays: DeployDayStats): WindowFigures {
  return {
    ...deployDays,
    count: 0,
    unsuccessful: 0,
    failed: 0,
    rework: 0,
    lead: { median: null, p90: null, samples: 0, dropped: 0 },
    recovery: { median: null, p90: null, samples: 0, unrecovered: 0 },
    restore: { median: null, samples: 0 },
  };
}

/** The five metrics and time to restore for one window, as docs/metrics.md shows them. */
export function metricsObject(f: WindowFigures, from: string, to: string, benchmark: Benchmark) {
  const days = daysBetween(from, to);
  const rate = (n: number) => (f.count === 0 ? null : n / f.count);
  const failureRate = rate(f.failed);
  return {
    deployment_frequency: {
      count: f.count,
      per_day: f.count / days,
      deploy_days: f.deploy_days,
      median_deploy_days_per_week: f.median_deploy_days_per_week,
      median_deploy_days_per_month: f.median_deploy_days_per_month,
      unsuccessful: f.unsuccessful,
      level: deploymentFrequencyLevel(benchmark, { ...f, days }),
    },
    change_lead_time: {
      median_seconds: f.lead.median,
      p90_seconds: f.lead.p90,
      samples: f.lead.samples,
      dropped: f.lead.dropped,
      level: leadTimeLevel(benchmark, f.lead.median),
    },
    change_failure_rate: { failed: f.failed, total: f.count, rate: failureRate, level: changeFailureRateLevel(benchmark, failureRate) },
    failed_deployment_recovery_time: {
      median_seconds: f.recovery.median,
      p90_seconds: f.recovery.p90,
      samples: f.recovery.samples,
      unrecovered: f.recovery.unrecovered,
      level: recoveryLevel(f.recovery.median),
    },
    time_to_restore_service: { median_seconds: f.restore.median, samples: f.restore.samples, level: recoveryLevel(f.restore.median) },
    deployment_rework_rate: { rework: f.rework, total: f.count, rate: rate(f.rework), level: null },
  };
}
