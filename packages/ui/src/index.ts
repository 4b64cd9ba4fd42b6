/**
 * `@trove/ui`: the web app `trove ui` serves (browse, search and compare runs, artifacts,
 * lineage and models of any store), read-only, on 127.0.0.1. The routes are in API.md.
 */
export { type CompareData, type CompareRow, compareData } from './api/compare.js';
export { type CompareReportOptions, compareReportHtml } from './compare-report.js';
export { startUi, type UiOptions, type UiServer } from './server/start-ui.js';
