// The training view's stylesheet, injected by the host with the page's nonce. Colours come from the
// VS Code theme variables so the view follows light, dark and high-contrast themes.
export const TRAINING_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 14px 24px; }
h1 { font-size: 1.25em; margin: 12px 0 2px; }
h1 .file { font-weight: normal; opacity: 0.7; font-size: 0.85em; margin-left: 8px; }
form .hint { opacity: 0.75; margin: 0 0 10px; }
form .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 6px 12px; align-items: end; }
form summary { cursor: pointer; opacity: 0.85; margin: 4px 0; }
form .wide { grid-column: 1 / -1; display: flex; gap: 8px; align-items: end; }
form .wide vscode-text-field { flex: 1; }
form label.choice { display: flex; flex-direction: column; gap: 2px; }
form vscode-text-field, form vscode-dropdown { width: 100%; }
form .actions { display: flex; gap: 10px; align-items: center; margin: 12px 0 4px; }
#python { font-size: 0.92em; opacity: 0.85; margin: 6px 0; white-space: pre-wrap; }
#python.bad, #invalid { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.run { border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); border-radius: 4px; padding: 10px 12px; margin: 12px 0; }
.run header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; margin-bottom: 6px; }
.run header h2 { font-size: 1.1em; margin: 0; }
.run header .meta { opacity: 0.75; }
.run header .actions { margin-left: auto; display: flex; gap: 6px; }
.state { padding: 0 6px; border-radius: 8px; font-size: 0.85em; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.state.failed { background: var(--vscode-inputValidation-errorBackground, #5a1d1d); }
.progress-line { font-variant-numeric: tabular-nums; margin: 4px 0; }
progress { width: 100%; height: 8px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; margin: 8px 0; }
.chart h3 { font-size: 0.95em; margin: 0 0 2px; }
.chart svg { width: 100%; height: auto; background: var(--vscode-editorWidget-background); border-radius: 3px; }
.chart .axis { stroke: var(--vscode-panel-border, rgba(128,128,128,0.5)); stroke-width: 1; }
.chart .grid { stroke: var(--vscode-panel-border, rgba(128,128,128,0.25)); stroke-width: 0.5; stroke-dasharray: 2 3; }
.chart text { fill: var(--vscode-descriptionForeground, var(--vscode-foreground)); font-size: 9px; }
.chart .series { fill: none; stroke-width: 1.2; }
.chart .train-step { stroke: var(--vscode-charts-blue, #3794ff); opacity: 0.55; }
.chart .train-epoch { stroke: var(--vscode-charts-blue, #3794ff); fill: var(--vscode-charts-blue, #3794ff); stroke-width: 2; }
.chart .val-epoch { stroke: var(--vscode-charts-orange, #d18616); fill: var(--vscode-charts-orange, #d18616); stroke-width: 2; }
.chart circle.train-epoch, .chart circle.val-epoch { stroke-width: 0; }
.legend { display: flex; gap: 12px; font-size: 0.85em; opacity: 0.85; }
.legend .swatch { display: inline-block; width: 10px; height: 3px; margin-right: 4px; vertical-align: middle; }
.legend .train-step { background: var(--vscode-charts-blue, #3794ff); opacity: 0.55; }
.legend .train-epoch { background: var(--vscode-charts-blue, #3794ff); }
.legend .val-epoch { background: var(--vscode-charts-orange, #d18616); }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 8px; text-align: right; }
th { font-weight: 600; }
tr.best td { font-weight: 600; }
details { margin-top: 6px; }
details pre { white-space: pre-wrap; word-break: break-all; font-family: var(--vscode-editor-font-family); font-size: 0.9em; margin: 4px 0; }
.error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.used { color: var(--vscode-charts-green, #89d185); }
.empty { opacity: 0.7; padding: 8px 0; }
`;
