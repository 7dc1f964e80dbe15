// The results view's stylesheet, injected by the host with the page's nonce. Colours come from the
// VS Code theme variables so the view follows light, dark and high-contrast themes.
export const RESULTS_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px 24px; }
#toolbar { display: flex; gap: 8px; padding: 8px 0; position: sticky; top: 0; background: var(--vscode-editor-background); z-index: 1; }
.empty { opacity: 0.7; padding: 16px 0; }
.run { border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); border-radius: 4px; padding: 10px 12px; margin: 10px 0; }
.run header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; margin-bottom: 8px; }
.run header h2 { font-size: 1.1em; margin: 0; }
.run header .meta { opacity: 0.75; }
.run header .actions { margin-left: auto; display: flex; gap: 6px; }
.images { display: flex; gap: 16px; align-items: flex-start; margin-bottom: 10px; }
figure { margin: 0; text-align: center; }
figure img, figure canvas { width: 112px; height: 112px; object-fit: contain; image-rendering: pixelated; background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); }
figcaption { font-size: 0.85em; opacity: 0.8; margin-top: 2px; }
.bars { flex: 1; min-width: 200px; }
.bar { display: grid; grid-template-columns: minmax(90px, 30%) 1fr 64px; gap: 8px; align-items: center; margin: 3px 0; }
.bar .track { height: 12px; background: var(--vscode-editorWidget-background); border-radius: 2px; overflow: hidden; }
.bar .fill { height: 100%; background: var(--vscode-charts-blue, #3794ff); }
.bar.top1 .fill { background: var(--vscode-charts-green, #89d185); }
.bar .value { text-align: right; font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 0.95em; }
.facts dt { opacity: 0.75; }
.facts dd { margin: 0; }
.warning { color: var(--vscode-editorWarning-foreground); }
.error { color: var(--vscode-errorForeground); }
progress { width: 100%; height: 10px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 6px; text-align: right; }
th { font-weight: 600; }
td.name, th.name { text-align: left; }
.confusion td { min-width: 28px; text-align: center; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.25)); }
.confusion td.diagonal { outline: 1px solid var(--vscode-charts-green, #89d185); outline-offset: -2px; }
.mistakes { display: flex; flex-wrap: wrap; gap: 10px; }
.mistakes figure img { width: 84px; height: 84px; }
h3 { font-size: 1em; margin: 12px 0 4px; }
`;
