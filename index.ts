// Every node and credential class of the package (n8n itself loads them through package.json's `n8n` block).
export { TikTokBusinessApi } from './credentials/TikTokBusinessApi.credentials';
