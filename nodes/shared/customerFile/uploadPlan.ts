/**
 * How uploaded files are applied: TikTok recommends fewer than 50 `file_paths` per create/update call, so a long
 * list becomes several calls. APPEND and REMOVE are split freely (each call is complete on its own). A new list is
 * created from the first 50 files and the rest appended. A REPLACE is never split: a REPLACE followed by APPENDs
 * would leave the audience half-replaced if a later call failed, so a REPLACE that needs more than 50 files is
 * refused before anything is applied (raise "Max Rows per File" instead; a file may hold millions of rows).
 */
export const MAX_FILE_PATHS_PER_CALL = 50;

export type SyncAction = 'APPEND' | 'REMOVE' | 'REPLACE';

export interface PlannedCall {
	kind: 'create' | 'update';
	action?: SyncAction;
	filePaths: string[];
}

export class UploadPlanError extends Error {}

export function replaceTooLargeMessage(files: number, maxRowsPerFile: number): string {
	return (
		`Replace All needs ${files} upload files, more than the ${MAX_FILE_PATHS_PER_CALL} one TikTok call takes, and a ` +
		`replace is never split across calls (a failure half-way would leave the audience half-replaced). Raise ` +
		`"Max Rows per File" (now ${maxRowsPerFile}) so the list fits in ${MAX_FILE_PATHS_PER_CALL} files, or use Add.`
	);
}

export function planCalls(target: 'create' | SyncAction, filePaths: string[], maxRowsPerFile: number): PlannedCall[] {
	if (filePaths.length === 0) return [];
	if (target === 'REPLACE' && filePaths.length > MAX_FILE_PATHS_PER_CALL) {
		throw new UploadPlanError(replaceTooLargeMessage(filePaths.length, maxRowsPerFile));
	}
	const calls: PlannedCall[] = [];
	for (let i = 0; i < filePaths.length; i += MAX_FILE_PATHS_PER_CALL) {
		const batch = filePaths.slice(i, i + MAX_FILE_PATHS_PER_CALL);
		if (target === 'create') calls.push(i === 0 ? { kind: 'create', filePaths: batch } : { kind: 'update', action: 'APPEND', filePaths: batch });
		else calls.push({ kind: 'update', action: target, filePaths: batch });
	}
	return calls;
}
