import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { Target } from './target';

/** "Confirm Audience Name", the safety catch of Unlink and Delete (CustomerLabs asks for the name the same way). */
export function confirmNameProperty(operation: 'unlink' | 'delete'): INodeProperties[] {
	return updateDisplayOptions({ show: { operation: [operation] } }, [
		{
			displayName: 'Confirm Audience Name',
			name: 'confirmName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. CRM buyers',
			description: "Type the audience's current name on TikTok exactly. If it does not match, nothing is changed.",
			hint: 'Case and spaces count: copy the name from Get Status or TikTok Ads Manager',
		},
	]);
}

export function confirmName(ctx: IExecuteFunctions, t: Target, name: string): void {
	const typed = String(ctx.getNodeParameter('confirmName', t.itemIndex, ''));
	if (typed === name) return;
	throw new NodeOperationError(ctx.getNode(), `"Confirm Audience Name" does not match: expected "${name}"`, {
		description: `The audience's current name on TikTok is "${name}"; you typed "${typed}". Type it exactly. Nothing was changed.`,
		itemIndex: t.itemIndex,
	});
}
