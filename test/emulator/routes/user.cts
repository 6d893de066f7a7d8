// GET /user/info/: the credential test. Needs only the Access-Token header.
import type { Route } from '../router.cts';

export const userRoutes: Route[] = [
	{
		method: 'GET',
		path: '/user/info/',
		body: 'none',
		handler: (ctx) => ({
			core_user_id: ctx.token.core_user_id,
			display_name: ctx.token.display_name,
			email: ctx.token.email,
			avatar_url: null,
			create_time: 1704067200,
		}),
	},
];
