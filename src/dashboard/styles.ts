/**
 * @module
 * The dashboard's stylesheet: system fonts only (nothing to download), one column on a phone,
 * level colours that keep 4.5:1 contrast with their white text.
 */
export const DASHBOARD_STYLES = String.raw`
*, *::before, *::after { box-sizing: border-box; }
:root { --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --card: #fff; --accent: #0969da; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg); overflow-wrap: break-word; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .75rem 1rem; background: #24292f; color: #fff; }
header h1 { margin: 0; font-size: 1.2rem; }
header p { margin: 0; color: #d0d7de; flex: 1 1 18rem; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
h2 { font-size: 1rem; margin: 0 0 .4rem; }
button, input, select { font: inherit; }
button { cursor: pointer; border: 1px solid var(--line); border-radius: 6px; background: #f3f4f6; color: var(--fg); padding: .3rem .7rem; }
button:hover:not(:disabled) { background: #e7eaee; }
button:disabled { cursor: default; color: var(--muted); }
header button { background: #fff; }
:focus-visible { outline: 3px solid #fb8500; outline-offset: 2px; }
input, select { border: 1px solid #8c959f; border-radius: 6px; padding: .3rem .4rem; background: #fff; color: var(--fg); max-width: 100%; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: #fff; padding: .3rem .6rem; z-index: 2; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.access { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin-bottom: .75rem; }
.token { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem; }
.token label { font-weight: 600; }
.token input { width: 14rem; }
.token small { flex-basis: 100%; color: var(--muted); }
#filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: .5rem .9rem; padding: .75rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
#filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .15rem; }
#filters input[name=environment] { width: 11rem; }
#filters.preset .custom { display: none; }
#notice:not(:empty) { margin: .75rem 0; padding: .6rem .8rem; border-radius: 8px; background: #fff8c5; border: 1px solid #d4a72c; }
#notice pre { white-space: pre-wrap; word-break: break-all; background: #fff; padding: .5rem; border-radius: 6px; font-size: .8rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 330px), 1fr)); gap: .9rem; margin-top: .9rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem .9rem; display: flex; flex-direction: column; min-width: 0; }
.card .value { font-size: 1.9rem; font-weight: 650; margin: 0; line-height: 1.2; }
.card .counts { margin: .15rem 0; color: var(--muted); min-height: 1.4em; }
.card .meta { margin: .2rem 0 .4rem; display: flex; flex-wrap: wrap; gap: .3rem .6rem; align-items: center; }
.card .drill { align-self: flex-start; margin-top: .4rem; }
.level { display: inline-block; border-radius: 999px; padding: .05rem .55rem; font-size: .8rem; font-weight: 600; color: #fff; background: #57606a; }
.level:empty { display: none; }
.card .value.pending { font-size: 1.25rem; color: var(--muted); }
.level-elite { background: #1a7f37; } .level-high { background: #0969da; } .level-medium { background: #9a6700; } .level-low { background: #cf222e; }
.change { font-size: .85rem; color: var(--muted); }
.change.better { color: #1a7f37; } .change.worse { color: #cf222e; }
.chart svg { width: 100%; height: 84px; display: block; }
.chart .bar { fill: #54aeff; } .chart .axis { stroke: var(--line); } .chart text { font-size: 9px; fill: var(--muted); }
#drill, #admin { margin-top: 1rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem .9rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; }
th, td { text-align: left; padding: .3rem .45rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); }
td ul { margin: 0; padding-left: 1rem; }
code, .reply { overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
.integration { border-top: 1px solid var(--line); padding: .6rem 0; }
.integration h3 { font-size: .95rem; margin: 0 0 .3rem; }
.counts-list { display: flex; flex-wrap: wrap; gap: .3rem 1rem; margin: .3rem 0; padding: 0; list-style: none; }
.reply { white-space: pre-wrap; word-break: break-all; margin: 0; font-size: .8rem; }
.muted { color: var(--muted); }
.suggestion { display: flex; flex-wrap: wrap; gap: .4rem .8rem; align-items: flex-end; padding: .4rem 0; border-top: 1px solid var(--line); }
.suggestion label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
`;
