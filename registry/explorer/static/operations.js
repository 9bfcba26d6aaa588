// Every GraphQL operation the explorer sends, and nowhere else: one named operation per export.
// The /* GraphQL */ comments let graphql-codegen find them (typed clients, trusted documents).

export const Catalogue = /* GraphQL */ `
  query Catalogue($lang: Language!) {
    territories(first: 100, sort: {by: NAME}) {
      nodes { id slug name(lang: $lang) country kind }
    }
    domains(first: 100, sort: {by: NAME}) {
      nodes { id slug name(lang: $lang) }
    }
    actors(first: 100, sort: {by: NAME}) {
      nodes { id slug name(lang: $lang) kind territories(first: 100) { nodes { id } } }
    }
  }
`;

// The pickers' choices, asked for as the user types (combobox.js): a few at a time, any network size.
export const TerritoryChoices = /* GraphQL */ `
  query TerritoryChoices($text: String, $kinds: [TerritoryKind!], $lang: Language!) {
    territories(filter: {text: $text, kinds: $kinds}, first: 10, sort: {by: NAME}) {
      nodes { id slug name(lang: $lang) country }
    }
  }
`;

export const PriorityChoices = /* GraphQL */ `
  query PriorityChoices($text: String, $lang: Language!) {
    priorities(filter: {text: $text}, first: 10, sort: {by: NAME}) {
      nodes { id slug title(lang: $lang) territory { name(lang: $lang) } }
    }
  }
`;

export const RecordChoices = /* GraphQL */ `
  query RecordChoices($text: String!, $lang: Language!) {
    search(text: $text, first: 10) {
      nodes { __typename id ... on Entry { slug label(lang: $lang) } }
    }
  }
`;

export const NetworkUseCases = /* GraphQL */ `
  query NetworkUseCases($filter: UseCaseFilter, $lang: Language!) {
    useCases(filter: $filter, first: 100, sort: {by: NAME}) {
      totalCount
      nodes {
        id
        slug
        title(lang: $lang)
        status
        territories(first: 50) { nodes { id slug name(lang: $lang) country } }
        actors(first: 50) { nodes { id slug name(lang: $lang) kind } }
      }
    }
  }
`;

export const Record = /* GraphQL */ `
  query Record($id: ID!, $lang: Language!) {
    node(id: $id) {
      __typename
      id
      ... on Entry { slug label(lang: $lang) sources { url title } }
      ... on Described { summary(lang: $lang) }
      ... on Territory { country territoryKind: kind programmeStatus }
      ... on Actor { actorKind: kind actorCountry: country website }
      ... on UseCase { useCaseStatus: status governance yearStart yearEnd reviewState }
      ... on Priority { priorityStatus: status }
      ... on Experiment { experimentStatus: status }
    }
  }
`;

export const PartnerCities = /* GraphQL */ `
  query PartnerCities($territory: ID!, $lang: Language!) {
    partnerCities(territory: $territory, first: 10, lang: $lang) {
      score
      territory { id slug name(lang: $lang) country }
      reasons { kind label weight domains actors values }
    }
  }
`;

export const CandidateExperiments = /* GraphQL */ `
  query CandidateExperiments($priority: ID!, $lang: Language!) {
    candidateExperiments(priority: $priority, first: 10, lang: $lang) {
      score
      useCase {
        id
        slug
        title(lang: $lang)
        status
        sources { url title }
        territories(first: 10) { nodes { name(lang: $lang) } }
      }
      reasons { kind label weight }
    }
  }
`;

export const PathBetween = /* GraphQL */ `
  query PathBetween($from: ID!, $to: ID!, $lang: Language!) {
    path(from: $from, to: $to) {
      length
      nodes { __typename id ... on Entry { slug label(lang: $lang) } }
    }
  }
`;

export const CaseStudies = /* GraphQL */ `
  query CaseStudies($lang: Language!, $after: String) {
    useCases(first: 100, after: $after, sort: {by: CREATED, descending: true}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        slug
        version
        title(lang: $lang)
        titleI18n { fr en }
        summaryI18n { fr en }
        status
        governance
        yearStart
        yearEnd
        country
        hub
        reviewState
        reviewNote
        sources { url title }
        domains(first: 50) { nodes { slug } }
        territories(first: 50) { nodes { slug name(lang: $lang) country } }
      }
    }
  }
`;

export const SubmitCaseStudy = /* GraphQL */ `
  mutation SubmitCaseStudy($input: CaseStudyInput!, $draft: Boolean!, $key: String) {
    submitCaseStudy(input: $input, draft: $draft, idempotencyKey: $key) {
      useCase { id slug version reviewState }
      errors { code field message }
    }
  }
`;

export const UpdateCaseStudy = /* GraphQL */ `
  mutation UpdateCaseStudy($id: ID!, $version: Int!, $input: CaseStudyInput!, $submit: Boolean!, $key: String) {
    updateCaseStudy(id: $id, version: $version, input: $input, submit: $submit, idempotencyKey: $key) {
      useCase { id slug version reviewState }
      errors { code field message }
    }
  }
`;

export const PublishCaseStudy = /* GraphQL */ `
  mutation PublishCaseStudy($id: ID!, $version: Int!, $key: String) {
    publishCaseStudy(id: $id, version: $version, idempotencyKey: $key) {
      useCase { id version reviewState }
      errors { code field message }
    }
  }
`;

export const RejectCaseStudy = /* GraphQL */ `
  mutation RejectCaseStudy($id: ID!, $version: Int!, $reason: String!, $key: String) {
    rejectCaseStudy(id: $id, version: $version, reason: $reason, idempotencyKey: $key) {
      useCase { id version reviewState reviewNote }
      errors { code field message }
    }
  }
`;

// Served over WebSocket (graphql-transport-ws) where the server has subscriptions; live.js polls otherwise.
// `after`: the last event seen, so a socket opened again first gets what was missed.
export const CaseStudyChanged = /* GraphQL */ `
  subscription CaseStudyChanged($after: ID) {
    caseStudyChanged(after: $after) { id change }
  }
`;
