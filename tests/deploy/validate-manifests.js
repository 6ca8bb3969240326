// SPDX-License-Identifier: Apache-2.0
// Validates Kubernetes objects (a JSON array on stdin, each {file, doc, object}) against the
// Kubernetes OpenAPI schemas of npm's kubernetes-models (pinned by scripts/install-deps), and
// finds the fields those schemas let through: they allow unknown properties, so `hostPid: true`
// would pass validate() and be dropped by the API server without a word.
//
// Unknown fields: the schema validators kubernetes-models compiles (ajv, standalone) read every
// property their schema names, and every key of a map (labels, resources), from the object they
// check. The object is handed to them behind a Proxy that records each key read; a key of the
// manifest that no validator read is a key no schema has. SPO's SeccompProfile is not in
// kubernetes-models: its metadata is checked so, its spec against SPO v1's fields below.
//
// Prints one line per problem ("FILE[#DOC]: PATH: why") and exits 1 when there is any.
"use strict";
const path = require("path");

const modelsDir = path.dirname(require.resolve("kubernetes-models/apps/v1/DaemonSet")) + "/../..";
const apimachineryDir =
  path.dirname(require.resolve("@kubernetes-models/apimachinery")) + "/_schemas";

// apiVersion/kind -> [the model module, the schema module of kubernetes-models]
function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const modelPath = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  const groupName = group ? group.split(".")[0] : "core";
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  const schema = `${modelsDir}/_schemas/IoK8sApi${cap(groupName)}${cap(version)}${kind}.js`;
  try {
    return { model: require(modelPath)[kind], schema: require(schema).validate };
  } catch (e) {
    return null;
  }
}

// Wraps `value` so that every key a validator reads is recorded in `reads` (object -> Set).
function watched(value, reads) {
  if (value === null || typeof value !== "object") return value;
  if (!reads.has(value)) reads.set(value, new Set());
  const keys = reads.get(value);
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") keys.add(key);
      return watched(Reflect.get(target, key, receiver), reads);
    },
    has(target, key) {
      if (typeof key === "string") keys.add(key);
      return Reflect.has(target, key);
    },
  });
}

// Every key of `value` (recursively) that no validator read.
function unread(value, reads, where, out) {
  if (value === null || typeof value !== "object") return;
  const keys = reads.get(value) || new Set();
  for (const [k, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`;
    if (!Array.isArray(value) && !keys.has(k)) out.push(`${at}: unknown field`);
    else unread(v, reads, at, out);
  }
}

function schemaCheck(validate, object, where, out) {
  const reads = new Map();
  if (!validate(watched(object, reads)))
    for (const e of validate.errors) out.push(`${where}${e.instancePath.replace(/\//g, ".")}: ${e.message || e.keyword} ${JSON.stringify(e.params)}`);
  unread(object, reads, where, out);
}

// SPO v1's SeccompProfile spec (api/seccompprofile/v1: SeccompProfileSpec, Syscall, Arg).
const SPO_ACTIONS = ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"];
const SPO_OPS = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ"];
const SPO_ARCHES = ["SCMP_ARCH_NATIVE", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
  "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64"];

function fields(obj, allowed, required, where, out) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    out.push(`${where}: must be an object`);
    return false;
  }
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) out.push(`${where}.${k}: unknown field`);
  for (const k of required) if (!(k in obj)) out.push(`${where}.${k}: required`);
  return true;
}
const isInt = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;

function spoSpecCheck(spec, where, out) {
  if (!fields(spec, ["disabled", "baseProfileName", "defaultAction", "architectures", "listenerPath",
    "listenerMetadata", "syscalls", "flags"], ["defaultAction"], where, out)) return;
  if (!SPO_ACTIONS.includes(spec.defaultAction)) out.push(`${where}.defaultAction: not an SPO action`);
  (spec.architectures || []).forEach((a, i) => {
    if (!SPO_ARCHES.includes(a)) out.push(`${where}.architectures[${i}]: not an SPO arch`);
  });
  (spec.syscalls || []).forEach((rule, i) => {
    const at = `${where}.syscalls[${i}]`;
    if (!fields(rule, ["names", "action", "errnoRet", "args"], ["names", "action"], at, out)) return;
    if (!Array.isArray(rule.names) || rule.names.length === 0 || !rule.names.every((n) => typeof n === "string"))
      out.push(`${at}.names: at least one name`);
    if (!SPO_ACTIONS.includes(rule.action)) out.push(`${at}.action: not an SPO action`);
    if ("errnoRet" in rule && !isInt(rule.errnoRet, 0, 4095)) out.push(`${at}.errnoRet: 0..4095`);
    if ((rule.args || []).length > 6) out.push(`${at}.args: at most 6`);
    (rule.args || []).forEach((arg, j) => {
      const aat = `${at}.args[${j}]`;
      if (!fields(arg, ["index", "value", "valueTwo", "op"], ["index", "op"], aat, out)) return;
      if (!isInt(arg.index, 0, 5)) out.push(`${aat}.index: 0..5`);
      for (const k of ["value", "valueTwo"])
        if (k in arg && !isInt(arg[k], 0, Number.MAX_SAFE_INTEGER)) out.push(`${aat}.${k}: int64 >= 0`);
      if (!SPO_OPS.includes(arg.op)) out.push(`${aat}.op: not an SPO operator`);
    });
  });
}

function check(entry) {
  const out = [];
  const o = entry.object;
  const where = `${entry.file}#${entry.doc}`;
  if (o === null || typeof o !== "object" || !o.apiVersion || !o.kind) return [`${where}: no apiVersion/kind`];
  if (o.apiVersion === "security-profiles-operator.x-k8s.io/v1" && o.kind === "SeccompProfile") {
    fields(o, ["apiVersion", "kind", "metadata", "spec"], ["metadata", "spec"], where, out);
    if (o.metadata) schemaCheck(require(`${apimachineryDir}/IoK8sApimachineryPkgApisMetaV1ObjectMeta.js`).validate, o.metadata, `${where}: metadata`, out);
    if ("namespace" in (o.metadata || {})) out.push(`${where}: metadata.namespace: SPO v1 profiles are cluster-scoped`);
    spoSpecCheck(o.spec, `${where}: spec`, out);
    return out;
  }
  const m = modelOf(o.apiVersion, o.kind);
  if (!m) return [`${where}: ${o.apiVersion} ${o.kind}: no schema in kubernetes-models`];
  try {
    new m.model(o).validate();  // the package's own check, as the issue asks
  } catch (e) {
    out.push(`${where}: validate(): ${e.message.split("\n").join("; ")}`);
  }
  schemaCheck(m.schema, o, `${where}: `, out);
  return out;
}

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const entries = JSON.parse(input);
  let bad = 0;
  for (const e of entries) {
    const problems = check(e);
    for (const p of problems) console.log(p);
    if (problems.length) bad++;
    else console.log(`${e.file}#${e.doc}: ${e.object.apiVersion} ${e.object.kind} ${e.object.metadata.name}: valid`);
  }
  process.exit(bad ? 1 : 0);
});
