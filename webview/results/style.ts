// The results view's stylesheet, injected by the host with the page's nonce. Colours come from the
// VS Code theme variables so the view follows light, dark and high-contrast themes.
export const RESULTS_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px 24px; }
#toolbar { display: flex; flex-wrap: wrap; gap: 8px; padding: 8px 0; position: sticky; top: 0; background: var(--vscode-editor-background); z-index: 1; }
.empty { opacity: 0.7; padding: 16px 0; }
.run { min-width: 0; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); border-radius: 4px; padding: 10px 12px; margin: 10px 0; }
.run header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; margin-bottom: 8px; }
.run header h2 { font-size: 1.1em; margin: 0; min-width: 0; overflow-wrap: anywhere; }
.run header .meta { opacity: 0.75; }
.run header .actions { margin-left: auto; display: flex; flex-wrap: wrap; gap: 6px; }
.images { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; margin-bottom: 10px; }
.images > figure { flex-shrink: 0; }
figure { margin: 0; text-align: center; }
figure img, figure canvas { width: 112px; height: 112px; object-fit: contain; image-rendering: pixelated; background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); }
figcaption { font-size: 0.85em; opacity: 0.8; margin-top: 2px; }
.bars { flex: 1 1 240px; min-width: min(240px, 100%); }
.bar { display: grid; grid-template-columns: minmax(60px, 30%) minmax(0, 1fr) 64px; gap: 8px; align-items: center; margin: 3px 0; }
.bar .track { height: 12px; background: var(--vscode-editorWidget-background); border-radius: 2px; overflow: hidden; }
.bar .fill { height: 100%; background: var(--vscode-charts-blue, #3794ff); }
.bar.top1 .fill { background: var(--vscode-charts-green, #89d185); }
.bar .value { text-align: right; font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; font-size: 0.95em; }
.facts dt { opacity: 0.75; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.warning { color: var(--vscode-editorWarning-foreground); }
.error { color: var(--vscode-errorForeground); overflow-wrap: anywhere; }
progress { width: 100%; height: 10px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 6px; text-align: right; }
th { font-weight: 600; }
td.name, th.name { text-align: left; }
.confusion td { min-width: 28px; text-align: center; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.25)); color: var(--vscode-foreground); }
.confusion td.diagonal { background: color-mix(in srgb, var(--vscode-charts-blue, #3794ff) var(--strength, 0%), transparent); outline: 1px solid var(--vscode-charts-blue, #3794ff); outline-offset: -2px; }
.confusion td.confused { background: color-mix(in srgb, var(--vscode-charts-red, #f14c4c) var(--strength, 0%), transparent); font-weight: 600; }
/* Wide tables scroll inside their own box, so the page never scrolls sideways; the matrix keeps its class names in view. */
.scroll-box { overflow: auto; max-width: 100%; }
.scroll-box.matrix { max-height: 70vh; }
.confusion th { background: var(--vscode-editor-background); }
.confusion tr:first-child th { position: sticky; top: 0; z-index: 1; }
.confusion th.row-name { position: sticky; left: 0; z-index: 1; }
.confusion th.corner { left: 0; z-index: 2; }
.confusion th.column { vertical-align: bottom; height: 7em; padding: 2px 0; }
.confusion th.column span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 600; }
.confusion th.row-name { text-align: right; padding-right: 8px; white-space: nowrap; }
.confusion th.corner { font-weight: normal; opacity: 0.8; vertical-align: bottom; text-align: left; }
body.vscode-high-contrast .confusion td, body.vscode-high-contrast-light .confusion td { border-color: var(--vscode-contrastBorder); }
body.vscode-high-contrast .confusion td.confused, body.vscode-high-contrast-light .confusion td.confused { text-decoration: underline; }
.mistakes { display: flex; flex-wrap: wrap; gap: 12px; }
.mistake { display: flex; flex-direction: column; gap: 2px; max-width: 180px; font-size: 0.85em; }
.mistake-pictures { display: flex; gap: 4px; }
.mistake-pictures img, .mistake-pictures canvas { width: 84px; height: 84px; object-fit: contain; image-rendering: pixelated; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); }
.mistake-caption .file { font-family: var(--vscode-editor-font-family); overflow-wrap: anywhere; }
.mistake-caption .predicted { color: var(--vscode-errorForeground); }
.openable { cursor: pointer; }
.openable:hover, .openable:focus { outline: 2px solid var(--vscode-focusBorder); }
.overlay { position: relative; width: 168px; height: 168px; }
.overlay canvas { position: absolute; inset: 0; width: 168px; height: 168px; image-rendering: auto; }
.class-map figcaption { max-width: 220px; }
.map-controls { display: flex; flex-direction: column; gap: 4px; margin-top: 4px; align-items: stretch; }
.map-controls select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px; }
.opacity-label { display: flex; gap: 6px; align-items: center; }
.bar.true-class .label { font-weight: 600; }
.note { opacity: 0.8; font-style: italic; margin: 4px 0; }
.ep-note { white-space: pre-line; overflow-wrap: anywhere; border-left: 3px solid var(--vscode-editorWarning-foreground); padding: 4px 8px; margin: 4px 0; background: var(--vscode-textBlockQuote-background); }
.tabs { display: flex; gap: 4px; margin: 4px 0; }
.tab { background: transparent; color: var(--vscode-foreground); border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.35)); padding: 2px 8px; cursor: pointer; }
.tab.selected { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
.profile th.sortable { cursor: pointer; text-decoration: underline dotted; }
.profile td.share { position: relative; min-width: 90px; text-align: right; }
.profile .share-bar { position: absolute; left: 0; top: 3px; bottom: 3px; background: var(--vscode-charts-blue, #3794ff); opacity: 0.35; }
.profile td { white-space: nowrap; }
.profile td.note { opacity: 0.75; font-size: 0.9em; white-space: normal; }
.profile-total { opacity: 0.8; font-size: 0.9em; }
.failure pre.details { background: var(--vscode-textCodeBlock-background); padding: 6px 8px; white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--vscode-editor-font-family); }
.failure-actions { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 6px; }
h3 { font-size: 1em; margin: 12px 0 4px; }
.bar .label { overflow-wrap: anywhere; }
.layer-times { overflow-x: auto; }
@media (max-width: 360px) {
  .facts { grid-template-columns: minmax(0, 1fr); }
  .facts dd { margin-bottom: 4px; }
}
`;
