// Every node and credential class of the package (n8n itself loads them through package.json's `n8n` block).
export { TikTokBusinessApi } from './credentials/TikTokBusinessApi.credentials';
export { TikTokAudienceSyncTrigger } from './nodes/TikTokAudienceSyncTrigger/TikTokAudienceSyncTrigger.node';
export { TikTokCreateWebsiteAudience } from './nodes/TikTokCreateWebsiteAudience/TikTokCreateWebsiteAudience.node';
export { TikTokSendSyncEvent } from './nodes/TikTokSendSyncEvent/TikTokSendSyncEvent.node';
export { TikTokUnlinkDeleteAudience } from './nodes/TikTokUnlinkDeleteAudience/TikTokUnlinkDeleteAudience.node';
export { TikTokUpsertCustomerFileList } from './nodes/TikTokUpsertCustomerFileList/TikTokUpsertCustomerFileList.node';
