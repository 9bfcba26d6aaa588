// graphql-codegen: TypeScript types from the registry's schema.graphql for the explorer's operations
// (every `/* GraphQL */` template in registry/explorer/static), and the trusted-documents manifest.
// CODEGEN_SCHEMA, CODEGEN_DOCUMENTS and CODEGEN_OUT let the tests point it at other files.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: process.env.CODEGEN_SCHEMA ?? "../../schema.graphql",
  documents: [process.env.CODEGEN_DOCUMENTS ?? "../../registry/explorer/static/**/*.js"],
  ignoreNoDocuments: true, // until the explorer's operations exist, the check has nothing to type
  generates: {
    [process.env.CODEGEN_OUT ?? "generated/"]: {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        // persisted-documents.json: sha256 of each printed document -> that document
        persistedDocuments: { mode: "embedHashInDocument", hashAlgorithm: "sha256" },
      },
      config: {
        strictScalars: true,
        scalars: { Date: "string", DateTime: "string", JSON: "unknown" },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
