// The exact summary item TikTok Upsert Customer File List outputs when it creates a list from input items and every
// row is sent: asserted the same way in n8n-core's engine and in the real n8n server.
export interface CreatedListFacts {
	audienceId: string;
	audienceName: string;
	advertiserId: string;
	rows: number;
	requestIds: Array<string | null>;
}

export function createdFromItemsSummary(facts: CreatedListFacts): Record<string, unknown> {
	return {
		audienceId: facts.audienceId,
		audienceName: facts.audienceName,
		advertiserId: facts.advertiserId,
		calculateType: 'EMAIL_SHA256',
		action: 'CREATE',
		created: true,
		dryRun: false,
		skipped: false,
		source: 'items',
		rowsIn: facts.rows,
		rowsSent: facts.rows,
		invalidTotal: 0,
		invalid: {},
		droppedValues: {},
		duplicates: 0,
		preHashed: 0,
		filesUploaded: 1,
		requestIds: facts.requestIds,
		// TikTok is still processing the new list's file.
		audienceSize: 0,
		audienceValid: false,
	};
}
