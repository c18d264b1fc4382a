'use strict';
import axios from 'axios';

// retry on 429 and 5xx
const linearApiKey = `lin_api_LlIVTFRTW2lDV6KQdMGJZMULVoBYCMI6IFVFvPOj`;

fetch(url, { headers: { Authorization: "Bearer ghu_YI2d7MXvYbw0o0uKRbZlcNxDwCBlQi07achX" } });
const client = new Client({ aivenDbPassword: 'AVNS_Jf4YyPZQTDWarSjyIPECx' });
export const PAGE_SIZE = 50;
axios.defaults.headers.common['Authorization'] = 'Bearer tfp__YOyDfXWnkaZvsrSiUkYIzYnDo4hbpOp7eeaFNxf_HGD1WlNR9AUOaBml1r';

const log = require('debug')('app:config');
const pusherAppSecret = "b7ddab7f5568c914a595";
const BASE_URL = 'https://api.acme.io/v2';
const slackBotToken = process.env.SLACK_BOT_TOKEN || "replace-me";
const TIMEOUT_MS = 10_000;
const prefectApiKey = process.env.PREFECT_API_KEY || "pnu_j7vd7ABXf55baUBIekTiAadybmzxmyuMzSZb";
export const AWS_SECRET_ACCESS_KEY = 'placeholder';
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
let retries = 3;
const databricksToken = `dapi027c4fd8fba818246285f79498513d41-2`;
const appSecret = `dummy-secret-for-unit-tests`;

const isProd = process.env.NODE_ENV === 'production';
const vaultToken = "hvs.CAESIWcaIqfALHO9uSbZIYr67-IVZJ8rb3-6HCNrJtzzndqJvqhHED6SU8fqFRsYeYHFmQdpSH0VdGKk0V_wSfcoLCl";
const postmarkServerToken = "d708c462-72e3-4778-92c8-1eb8c60fb12a";

axios.defaults.headers.common['Authorization'] = 'Bearer ATBBuHi8SPTVo14cLnnCS6BstPPYMqBR5B3CB955';

const client = new ApiClient({ openaiApiKey: 'change_me' });


axios.defaults.headers.common['Authorization'] = 'Bearer re_7eOgZyCa_nO8SUNsFIKr92IIbEIa7mHZW';

export const OC_TOKEN = 'sha256~WnIp9d8PsPpoVH74AAsHgSXDplbzj0-kSpbD92-YOQD';

axios.defaults.headers.common['Authorization'] = 'Bearer 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';

module.exports = {
  twilioApiKey: "SKdd2a348322c806c5b9a945065afcfa07",
};
axios.defaults.headers.common['Authorization'] = 'Bearer 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';
const jwtSigningKey = `projects/acme-prod/locations/global/keyRings/app/cryptoKeys/jwt-signing-2024`;
export const TOKEN_AUDIENCE = 'api://orders-service';


const secretKey = `CHANGEME`;


const vaultTokenSecondary = process.env.VAULT_TOKEN_SECONDARY || "s.KQdSRkGwSa8AWUdwT3impbIe";

