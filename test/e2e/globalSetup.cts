// Jest globalSetup of the e2e suite: install n8n (cached), build and pack this package once. The results are passed
// to the test workers through E2E_N8N_DIR / E2E_PACKAGE_TGZ (workers inherit this process's environment).
import { prepare } from './n8nServer.cts';

export default async function globalSetup(): Promise<void> {
	await prepare();
}
