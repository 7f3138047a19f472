import { describe, expect, it } from "vitest";
import { metricsObject, emptyFigures } from "../src/metrics/assemble";
import { addDays, buckets, daysBetween, deployDayStats, isoWeekStart, monthStart, nextMonthStart } from "../src/metrics/calendar";
import { changeFailureRateLevel, deploymentFrequencyLevel, leadTimeLevel, recoveryLevel } from "../src/metrics/levels";
import { median, percentile, percentileRanks } from "../src/metrics/percentile";
import { corsOrigins } from "../src/http/cors";

describe("interpolated median and p90 (PERCENTILE_CONT)", () => {
  it("has no value without samples", () => {
    expect(median([])).toBeNull();
    expect(percentile([], 90)).toBeNull();
  });
  it("is the sample itself for one sample", () => {
    expect(median([42])).toBe(42);
    expect(percentile([42], 90)).toBe(42);
  });
  it("takes the middle of an odd count, in any input order", () => {
    expect(median([9, 1, 5])).toBe(5);
  });
  it("averages the two middle values of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
  });
  it("interpolates p90 between the closest ranks", () => {
    // n = 10: position (10-1)*0.9 = 8.1 -> 9th + 0.1 * (10th - 9th) = 9 + 0.1 * 91 = 18.1
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 90)).toBeCloseTo(18.1, 12);
    // n = 11: position 9 exactly -> the 10th value
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    // n = 2: position 0.9 -> 10 + 0.9 * 10 = 19
    expect(percentile([10, 20], 90)).toBe(19);
  });
  it("computes ranks with integers, so (n-1)*0.9 never drifts", () => {
    // 70 * 0.9 is 63.00000000000001 in floating point; the rank must be exactly 63.
    expect(percentileRanks(71, 90)).toEqual({ lower: 63, upper: 63, weight: 0 });
    expect(percentileRanks(4, 50)).toEqual({ lower: 1, upper: 2, weight: 0.5 });
  });
});

describe("ISO weeks, months and windows", () => {
  it("finds the Monday of the ISO week across a year end", () => {
    expect(isoWeekStart("2027-01-01")).toBe("2026-12-28"); // Friday -> Monday of ISO week 2026-W53
    expect(isoWeekStart("2026-01-04")).toBe("2025-12-29"); // Sunday belongs to the week started Monday
    expect(isoWeekStart("2026-01-05")).toBe("2026-01-05"); // a Monday is its own week start
  });
  it("finds calendar months across a year end and February", () => {
    expect(monthStart("2026-12-31")).toBe("2026-12-01");
    expect(nextMonthStart("2026-12-15")).toBe("2027-01-01");
    expect(nextMonthStart("2028-02-29")).toBe("2028-03-01");
  });
  it("does day arithmetic in UTC", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-01-01", "2026-02-01")).toBe(31);
  });
  it("clips buckets to the window", () => {
    expect(buckets("2026-12-30", "2027-01-06", "week")).toEqual([
      { key: "2026-12-28", start: "2026-12-30", end: "2027-01-04" },
      { key: "2027-01-04", start: "2027-01-04", end: "2027-01-06" },
    ]);
    expect(buckets("2026-12-15", "2027-01-10", "month")).toEqual([
      { key: "2026-12-01", start: "2026-12-15", end: "2027-01-01" },
      { key: "2027-01-01", start: "2027-01-01", end: "2027-01-10" },
    ]);
    expect(buckets("2026-03-01", "2026-03-03", "day").map((b) => b.key)).toEqual(["2026-03-01", "2026-03-02"]);
  });
  it("takes medians of deploy days over every overlapping week and month, empty ones as 0", () => {
    // Window 2026-11-02 (Mon) .. 2026-11-23: weeks of Nov 2, 9, 16. Deploy days: 3 in week 1, 1 in week 3.
    const stats = deployDayStats(["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-04", "2026-11-18", "2026-11-23"], "2026-11-02", "2026-11-23");
    expect(stats).toEqual({ deploy_days: 4, median_deploy_days_per_week: 1, median_deploy_days_per_month: 4 });
    // Four weeks with 5, 0, 1, 2 deploy days: median (1 + 2) / 2.
    const days = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-16", "2026-11-23", "2026-11-24"];
    expect(deployDayStats(days, "2026-11-02", "2026-11-30").median_deploy_days_per_week).toBe(1.5);
  });
});

describe("level bands at their boundaries", () => {
  const df = (perWeek: number, perMonth: number, deployDays = 1, days = 30) =>
    ({ count: 1, deploy_days: deployDays, days, median_deploy_days_per_week: perWeek, median_deploy_days_per_month: perMonth });
  it("deployment frequency, 2023", () => {
    expect(deploymentFrequencyLevel("2023", df(5, 20))).toBe("elite");
    expect(deploymentFrequencyLevel("2023", df(4.5, 20))).toBe("high");
    expect(deploymentFrequencyLevel("2023", df(1, 4))).toBe("high");
    expect(deploymentFrequencyLevel("2023", df(0.5, 1))).toBe("medium");
    expect(deploymentFrequencyLevel("2023", df(0, 0.5))).toBe("low");
    expect(deploymentFrequencyLevel("2023", { ...df(0, 0), count: 0 })).toBeNull();
  });
  it("deployment frequency, 2021", () => {
    expect(deploymentFrequencyLevel("2021", df(5, 20))).toBe("elite");
    expect(deploymentFrequencyLevel("2021", df(0, 1))).toBe("high");
    expect(deploymentFrequencyLevel("2021", df(0, 0.5, 2, 365))).toBe("medium"); // 2 deploy days in a year = 1 per 6 months
    expect(deploymentFrequencyLevel("2021", df(0, 0.5, 1, 365))).toBe("low");
  });
  it("change lead time, both benchmarks", () => {
    expect(leadTimeLevel("2023", 86399)).toBe("elite");
    expect(leadTimeLevel("2023", 86400)).toBe("high");
    expect(leadTimeLevel("2023", 604800)).toBe("medium");
    expect(leadTimeLevel("2023", 30 * 86400 - 1)).toBe("medium");
    expect(leadTimeLevel("2023", 30 * 86400)).toBe("low");
    expect(leadTimeLevel("2021", 3599)).toBe("elite");
    expect(leadTimeLevel("2021", 3600)).toBe("high");
    expect(leadTimeLevel("2021", 604800)).toBe("medium");
    expect(leadTimeLevel("2021", 180 * 86400)).toBe("low");
    expect(leadTimeLevel("2023", null)).toBeNull();
  });
  it("change failure rate, both benchmarks", () => {
    expect(changeFailureRateLevel("2023", 0.05)).toBe("elite");
    expect(changeFailureRateLevel("2023", 0.1)).toBe("high");
    expect(changeFailureRateLevel("2023", 0.15)).toBe("medium");
    expect(changeFailureRateLevel("2023", 0.150001)).toBe("low");
    expect(changeFailureRateLevel("2021", 0.15)).toBe("elite");
    expect(changeFailureRateLevel("2021", 0.2)).toBe("high");
    expect(changeFailureRateLevel("2021", 0.3)).toBe("medium");
    expect(changeFailureRateLevel("2021", 0.31)).toBe("low");
    expect(changeFailureRateLevel("2023", null)).toBeNull();
  });
  it("recovery time and time to restore", () => {
    expect(recoveryLevel(3599)).toBe("elite");
    expect(recoveryLevel(3600)).toBe("high");
    expect(recoveryLevel(86400)).toBe("medium");
    expect(recoveryLevel(604800)).toBe("low");
    expect(recoveryLevel(null)).toBeNull();
  });
});

describe("response objects", () => {
  it("gives nulls, not zeros, where a window has no data", () => {
    const m = metricsObject(emptyFigures(deployDayStats([], "2026-11-01", "2026-11-08")), "2026-11-01", "2026-11-08", "2023");
    expect(m.deployment_frequency).toEqual({ count: 0, per_day: 0, deploy_days: 0, median_deploy_days_per_week: 0, median_deploy_days_per_month: 0, unsuccessful: 0, level: null });
    expect(m.change_failure_rate).toEqual({ failed: 0, total: 0, rate: null, level: null });
    expect(m.change_lead_time).toEqual({ median_seconds: null, p90_seconds: null, samples: 0, dropped: 0, level: null });
    expect(m.deployment_rework_rate).toEqual({ rework: 0, total: 0, rate: null, level: null });
  });
});

describe("CORS_ORIGINS", () => {
  it("lists the configured origins, none by default", () => {
    expect(corsOrigins("")).toEqual([]);
    expect(corsOrigins(undefined)).toEqual([]);
    expect(corsOrigins(" https://a.example ,https://b.example,")).toEqual(["https://a.example", "https://b.example"]);
  });
});
