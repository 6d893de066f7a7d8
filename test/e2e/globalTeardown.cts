// Jest globalTeardown of the e2e suite: removes the packed tarball's temp folder made by globalSetup.
import * as fsp from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
	const dir = process.env.E2E_PACK_DIR;
	if (dir && /tiktok-e2e-pack-/.test(dir)) await fsp.rm(dir, { recursive: true, force: true });
}
