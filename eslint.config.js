// @ts-check
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** An import pattern for no-restricted-imports, matched against the import's text. */
const importOf = (regex, message) => ({ regex, message });

const NODE_BUILTINS = importOf(
  `^(node:|(${builtinModules.map((m) => m.replace(/[/]/g, "\\/")).join("|")})$)`,
  "this layer neither reads files nor talks to the network: no Node modules (README, Development)",
);
const folders = (...names) => `(^|/)(${names.join("|")})/`;

/** The layers, one way (README, Layers): each folder, what it must not import. */
const LAYERS = [
  {
    files: ["src/lib/**/*.ts"],
    patterns: [
      importOf(
        folders("spec", "rules", "features", "oci", "compat", "cli", "k8s", "webhook"),
        "lib/ imports nothing of kompat",
      ),
      importOf("^(\\.\\./){2,}index\\.js$", "lib/ imports nothing of kompat"),
    ],
  },
  {
    files: ["src/spec/**/*.ts"],
    patterns: [
      NODE_BUILTINS,
      importOf(
        folders("rules", "features", "oci", "compat", "cli", "k8s", "webhook"),
        "spec/ sits below rules/, features/, oci/ and cli/",
      ),
    ],
  },
  {
    // rules/ evaluates features it is handed: it may name their type (features/nodefeatures.ts, a
    // leaf of types and null-prototype maps) but never reach discovery code.
    files: ["src/rules/**/*.ts"],
    patterns: [
      NODE_BUILTINS,
      importOf(
        "(^|/)features/(?!nodefeatures\\.js$)",
        "rules/ may use only features/nodefeatures.js of features/",
      ),
      importOf(
        folders("oci", "compat", "cli", "k8s", "webhook"),
        "rules/ never reads files or the network",
      ),
    ],
  },
  {
    files: ["src/features/**/*.ts", "src/oci/**/*.ts"],
    patterns: [
      importOf(
        folders("compat", "cli", "k8s", "webhook"),
        "features/ and oci/ never format output or know the CLI",
      ),
    ],
  },
  {
    // compat/: the use cases that combine oci/, rules/ and features/, below every front end.
    files: ["src/compat/**/*.ts"],
    patterns: [
      importOf(folders("cli", "k8s", "webhook"), "compat/ is below cli/, k8s/ and webhook/"),
    ],
  },
  {
    files: ["src/k8s/**/*.ts"],
    patterns: [importOf(folders("cli", "webhook"), "k8s/ is below cli/ and webhook/")],
  },
  {
    files: ["src/webhook/**/*.ts"],
    patterns: [importOf(folders("cli"), "webhook/ does not use the CLI")],
  },
];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "eslint.config.js"] },
  js.configs.recommended,
  {
    // Build and doc scripts run on Node.
    files: ["scripts/**/*.mjs"],
    languageOptions: { globals: { URL: "readonly", process: "readonly", console: "readonly" } },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-control-regex": "off",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    // Type-checked rules: a promise nobody awaits loses its error (and, in a CLI, the exit code).
    files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test collects these itself (and reports their failures).
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  ...LAYERS.map(({ files, patterns }) => ({
    files,
    rules: { "no-restricted-imports": ["error", { patterns }] },
  })),
);
