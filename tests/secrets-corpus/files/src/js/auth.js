// auth helpers

export async function refreshAccessTokenIfExpiredBeforeRequest(session) {
// retry on 429 and 5xx
const SECRET_ROTATION_LAMBDA_FUNCTION_NAME = 'rotate-db-credentials-prod';

const passwordInputSelector = '#login-form input[type=password]';
let retries = 3;
const tokenStorageKey = 'acme.auth.session.v2';
export const API_KEY_HEADER_NAME = 'X-Api-Key';
const apiKeyRegex = /^[A-Za-z0-9]{32}$/;
let retries = 3;
const brandPalette = { primary: '#4f46e5', accent: '#f59e0b', danger: '#dc2626' };
export const SDK_VERSION = '4.12.0-beta.3';
const log = require('debug')('app:config');
const SESSION_NAMESPACE = '0773c468-6089-4bed-b5cb-67160910699a';
const log = require('debug')('app:config');
const BUILD_HASH = '4fb1831d41cf918e57c3200cfce4540d94fcf46e59f6e051c6a1d2c0c92b6a92';
const chunkName = 'vendors-node_modules_pnpm_react-dom_18_3_1_react_18_3_1_node_modules_react-dom_client_js';
const nonceAttribute = 'data-csp-nonce';
let retries = 3;
if (user.passwordResetTokenExpiresAt < Date.now()) return redirect('/password/forgot');
const stripe = Stripe('pk_live_p71aY68yr2rYKwAw3UTwOJfa');
let retries = 3;
Sentry.init({ dsn: 'https://56ff620cbf297461f113c021e275daa2@o467080.ingest.sentry.io/1371467' });
export const GIT_REVISION = 'be9c41109dba1bcc51402099a15bed06a761c1cb';
export const PAGE_SIZE = 50;
const AUTH_TOKEN_COOKIE = '__Host-acme_auth';
const TIMEOUT_MS = 10_000;
const secretsManagerArn = 'arn:aws:secretsmanager:eu-west-1:525069882008:secret:prod/orders/db-AbC123';
