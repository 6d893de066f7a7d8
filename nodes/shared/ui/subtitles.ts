import { CUSTOM_EVENT, WEB_EVENTS } from '../events/webEvents';

/**
 * The line n8n draws under each node's name on the canvas, in words (never an option's stored value such as
 * `getStatus`, `APPEND` or `__custom`). A subtitle is an expression the editor evaluates against the node's
 * parameters (`getNodeSubtitle`: `workflow.expression.getSimpleParameterValue(node, subtitle, 'internal', {})`), so
 * each one maps a value to its words with an object literal; a value it does not know gives the fallback, not the raw
 * value. See https://docs.n8n.io/integrations/creating-nodes/build/reference/node-base-files/standard-parameters/
 */

/** Upsert Customer File List: the action on the list (Add, Remove, Replace All, From Each Row, Mirror). */
export const LIST_SYNC_SUBTITLE =
	'={{ ({"APPEND": "Add to", "REMOVE": "Remove from", "REPLACE": "Replace", "CHANGES": "Add and remove by row in", "MIRROR": "Mirror to"}' +
	'[$parameter["action"]] || "Sync") + " customer file list" }}';

/** Unlink/Delete: the operation, as its option names it. */
export const LIFECYCLE_SUBTITLE = '={{ {"getStatus": "Get Status", "unlink": "Unlink", "relink": "Relink", "delete": "Delete"}[$parameter["operation"]] || "" }}';

/** Audience Sync Trigger: "Paused", or the refresh interval with the unit's singular for one ("Every day"). */
export const TRIGGER_SUBTITLE =
	'={{ $parameter["status"] === "paused" ? "Paused" : "Every " + (Number($parameter["refreshInterval"]) === 1 ? ' +
	'({"minutes": "minute", "hours": "hour", "days": "day"}[$parameter["refreshUnit"]] || "") : ' +
	'$parameter["refreshInterval"] + " " + ({"minutes": "minutes", "hours": "hours", "days": "days"}[$parameter["refreshUnit"]] || "")) }}';

/** Event names in words (`AddToCart` → "Add to Cart"), as an object literal for an expression. */
const EVENT_WORDS = JSON.stringify(Object.fromEntries(WEB_EVENTS.map((e) => [e.event, e.label.replace(/ \(.*\)$/, '')])));

/** The chosen event in words: its label, or the custom name typed in `<parameter>Custom`. */
const eventWords = (parameter: string) =>
	`($parameter["${parameter}"] === "${CUSTOM_EVENT}" ? ($parameter["${parameter}Custom"] || "Custom") : (${EVENT_WORDS}[$parameter["${parameter}"]] || "Custom"))`;

/** Send Sync Event: the event it sends ("Purchase event"), or that the recipe decides it. */
export const SEND_EVENT_SUBTITLE = `={{ $parameter["source"] === "recipe" ? "Event from the recipe" : ${eventWords('event')} + " event" }}`;

/** Create Website Audience: the audience's name, or what it is built on when no name is set yet. */
export const WEBSITE_AUDIENCE_SUBTITLE = `={{ $parameter["audienceName"] || ${eventWords('event')} + " audience" }}`;
