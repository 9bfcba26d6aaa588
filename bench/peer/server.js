// The peer baseline: @neo4j/graphql 7 on Apollo Server, one Node process, over the registry's Neo4j.
// Environment: NEO4J_URI (bolt://127.0.0.1:PORT, no authentication) and PORT (listens on 127.0.0.1 only).
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(process.env.NEO4J_URI);
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT) },
});
console.log(`READY ${url}`);
