#!/usr/bin/env node
// An S3 API for the tests that, unlike s3rver alone, verifies AWS Signature Version 4.
//
// It runs s3rver in this process on a loopback "backend" port (no verification there: the tests
// seed buckets and objects through it) and listens on a "front" port where every request must
// carry a valid SigV4 Authorization header. Each front request is rebuilt from exactly the
// headers it signed and signed again with AWS's own signer (@aws-sdk/signature-v4) using the
// configured key, secret and region and the request's own X-Amz-Date; only when both signatures
// agree is it passed on to s3rver. Otherwise it is answered the way S3 answers, with an XML
// error: InvalidAccessKeyId, SignatureDoesNotMatch, AuthorizationHeaderMalformed (wrong region,
// service or date in the credential scope), RequestTimeTooSkewed (over 15 minutes), AccessDenied
// (no or unsigned x-amz-* headers), XAmzContentSHA256Mismatch.
//
// Not supported (answered 501 NotImplemented): query-string (presigned) authentication and
// aws-chunked streaming payloads. A signed `date` header is not supported either: the SDK's
// signer drops it, so such a request is refused.
//
// Usage: node sigv4_s3_server.js --port N --backend-port N --directory DIR --bucket NAME
//          --access-key-id ID --region REGION [--clock-offset SECONDS]
// The secret key comes from the environment variable SIGV4_S3_SECRET_ACCESS_KEY, so it shows in
// no process listing. The npm packages are found under <repository>/.tools/node_modules
// (scripts/install-deps.sh).
'use strict';

const crypto = require('crypto');
const http = require('http');
const path = require('path');

const modules = path.resolve(__dirname, '..', '..', '.tools', 'node_modules');
const S3rver = require(path.join(modules, 's3rver'));
const { SignatureV4 } = require(path.join(modules, '@aws-sdk', 'signature-v4'));
const { Sha256 } = require(path.join(modules, '@aws-crypto', 'sha256-js'));

const MAX_SKEW_MS = 15 * 60 * 1000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function parseArguments(argv) {
  const options = { clockOffset: '0' };
  const names = {
    '--port': 'port',
    '--backend-port': 'backendPort',
    '--directory': 'directory',
    '--bucket': 'bucket',
    '--access-key-id': 'accessKeyId',
    '--region': 'region',
    '--clock-offset': 'clockOffset',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const name = names[argv[i]];
    if (!name || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    options[name] = argv[i + 1];
  }
  for (const required of ['port', 'backendPort', 'directory', 'bucket', 'accessKeyId', 'region']) {
    if (options[required] === undefined) throw new Error(`missing --${required}`);
  }
  options.secretAccessKey = process.env.SIGV4_S3_SECRET_ACCESS_KEY;
  if (!options.secretAccessKey) throw new Error('SIGV4_S3_SECRET_ACCESS_KEY is not set');
  return options;
}

class S3Error extends Error {
  constructor(status, code, message, details = {}, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

function escapeXml(text) {
  return String(text).replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c],
  );
}

function sendError(response, error, resource) {
  const fields = { Code: error.code, Message: error.message, ...error.details };
  fields.Resource = resource;
  fields.RequestId = crypto.randomBytes(8).toString('hex').toUpperCase();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    Object.entries(fields)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('') +
    '</Error>';
  response.writeHead(error.status, {
    ...error.headers,
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amz-request-id': fields.RequestId,
  });
  response.end(body);
}

// RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 wants.
function uriEscape(text) {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

// S3's canonical URI: each path segment decoded once and encoded again, no normalization.
function canonicalPath(rawPath) {
  return rawPath
    .split('/')
    .map((segment) => uriEscape(decode(segment)))
    .join('/');
}

// Decoded query parameters, repeated names as arrays, as the SDK's signer takes them.
function parseQuery(rawQuery) {
  const query = {};
  if (!rawQuery) return query;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decode(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decode(pair.slice(equals + 1));
    if (query[name] === undefined) query[name] = value;
    else if (Array.isArray(query[name])) query[name].push(value);
    else query[name] = [query[name], value];
  }
  return query;
}

// Header values by lower-case name; repeated headers joined with ',' as SigV4 wants.
function collectHeaders(rawHeaders) {
  const headers = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

const AUTHORIZATION = new RegExp(
  '^AWS4-HMAC-SHA256 +Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/([^/,\\s]+) *, *' +
    'SignedHeaders=([a-z0-9;\\-]+) *, *Signature=([0-9a-f]{64})$',
);

// "20130524T000000Z" -> Date, or null.
function parseAmzDate(text) {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text || '');
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? null : date;
}

function isoBasic(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// Throws an S3Error unless the request is signed right; `body` is the whole payload.
async function verify(request, body, options) {
  const headers = collectHeaders(request.rawHeaders);
  const [rawPath, rawQuery] = request.url.split(/\?(.*)/s);
  const query = parseQuery(rawQuery);
  if ('X-Amz-Algorithm' in query || 'X-Amz-Signature' in query) {
    throw new S3Error(501, 'NotImplemented', 'Query-string authentication is not supported here.');
  }
  const authorization = headers.authorization;
  if (authorization === undefined) {
    throw new S3Error(403, 'AccessDenied', 'Access Denied (the request is not signed).');
  }
  const match = AUTHORIZATION.exec(authorization.trim());
  if (!match) {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; expected AWS4-HMAC-SHA256 Credential=KEY/DATE/' +
        'REGION/s3/aws4_request, SignedHeaders=..., Signature=...',
    );
  }
  const [, accessKeyId, scopeDate, region, service, terminator, signedHeaderList, signature] =
    match;
  if (accessKeyId !== options.accessKeyId) {
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: accessKeyId },
    );
  }
  if (region !== options.region) {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${region}' is wrong; expecting ` +
        `'${options.region}'`,
      { Region: options.region },
      { 'x-amz-bucket-region': options.region }, // as S3 tells where a bucket lives
    );
  }
  if (service !== 's3' || terminator !== 'aws4_request') {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; incorrect service '${service}' or terminal ` +
        `'${terminator}'; expecting 's3' and 'aws4_request'`,
    );
  }
  const requestDate = parseAmzDate(headers['x-amz-date']);
  if (requestDate === null) {
    throw new S3Error(
      403,
      'AccessDenied',
      'AWS authentication requires a valid x-amz-date header (yyyyMMddTHHmmssZ).',
    );
  }
  if (headers['x-amz-date'].slice(0, 8) !== scopeDate) {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; Invalid credential date '${scopeDate}'. ` +
        'Date is not the same as X-Amz-Date.',
    );
  }
  const serverTime = new Date(Date.now() + Number(options.clockOffset) * 1000);
  if (Math.abs(serverTime - requestDate) > MAX_SKEW_MS) {
    throw new S3Error(
      403,
      'RequestTimeTooSkewed',
      "The difference between the request time and the server's time is too large.",
      {
        RequestTime: headers['x-amz-date'],
        ServerTime: isoBasic(serverTime),
        MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
      },
    );
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the host header must be signed.',
    );
  }
  const unsigned = Object.keys(headers).filter(
    (name) => name.startsWith('x-amz-') && !signedHeaders.includes(name),
  );
  if (unsigned.length > 0) {
    throw new S3Error(
      403,
      'AccessDenied',
      'There were headers present in the request which were not signed',
      { HeadersNotSigned: unsigned.join(', ') },
    );
  }
  const payloadHash = headers['x-amz-content-sha256'];
  if (payloadHash === undefined) {
    throw new S3Error(
      400,
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  if (payloadHash.startsWith('STREAMING-')) {
    throw new S3Error(501, 'NotImplemented', 'aws-chunked (streaming) payloads are not supported.');
  }

  // The request as the client signed it: exactly its signed headers, its canonical path, its
  // query; signed again by the SDK with our secret at the client's date.
  const toSign = { method: request.method, path: canonicalPath(rawPath), query, headers: {} };
  for (const name of signedHeaders) {
    // A signed header the request lacks signs as empty; the signatures then disagree.
    toSign.headers[name] = headers[name] === undefined ? '' : headers[name];
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: headers['x-amz-security-token'],
    },
    region: options.region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false, // S3: the path is used as encoded above, not encoded twice
    applyChecksum: false, // x-amz-content-sha256 is signed only if the client signed it
  });
  const signed = await signer.sign(toSign, {
    signingDate: requestDate,
    signableHeaders: new Set(signedHeaders),
  });
  const expected = AUTHORIZATION.exec(signed.headers.authorization);
  const sameHeaders = expected[6] === signedHeaderList;
  const sameSignature =
    sameHeaders && crypto.timingSafeEqual(Buffer.from(expected[7]), Buffer.from(signature));
  if (!sameSignature) {
    throw new S3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your key and signing method.',
      { AWSAccessKeyId: accessKeyId, SignedHeaders: signedHeaderList },
    );
  }
  if (payloadHash !== 'UNSIGNED-PAYLOAD') {
    const actual = crypto.createHash('sha256').update(body).digest('hex');
    if (actual !== payloadHash) {
      throw new S3Error(
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: actual },
      );
    }
  }
}

// Passes a verified request on to s3rver, without its signature (s3rver takes it as anonymous).
function forward(request, body, response, backendPort) {
  const headers = { ...request.headers };
  delete headers.authorization;
  const upstream = http.request(
    { host: '127.0.0.1', port: backendPort, method: request.method, path: request.url, headers },
    (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    sendError(response, new S3Error(502, 'InternalError', `s3rver: ${error.message}`), request.url);
  });
  upstream.end(body);
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const backend = new S3rver({
    address: '127.0.0.1',
    port: Number(options.backendPort),
    directory: options.directory,
    silent: true,
    configureBuckets: [{ name: options.bucket }],
  });
  await backend.run();

  const front = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      verify(request, body, options).then(
        () => forward(request, body, response, Number(options.backendPort)),
        (error) => {
          if (!(error instanceof S3Error)) {
            error = new S3Error(500, 'InternalError', String(error && error.message));
          }
          sendError(response, error, request.url);
        },
      );
    });
  });
  front.listen(Number(options.port), '127.0.0.1');
  // Nothing to flush: s3rver writes each object before it answers.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(`sigv4_s3_server: ${error.stack || error}\n`);
  process.exit(1);
});
