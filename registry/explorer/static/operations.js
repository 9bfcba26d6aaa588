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

// The map: territories with coordinates (every one lies within the world), a page at a time, each
// with its number of use cases (its size on the map). `useCases(first: 1)`, not 0: with `within`
// and a page of 100, `first: 0` answers a totalCount of 0 for every territory (a server bug).
export const MapTerritories = /* GraphQL */ `
  query MapTerritories($filter: TerritoryFilter!, $after: String, $lang: Language!) {
    territories(filter: $filter, first: 100, after: $after, sort: {by: NAME}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id slug name(lang: $lang) country programmeStatus
        coordinates { latitude longitude }
        useCases(first: 1) { totalCount }
      }
    }
  }
`;

// The network, a page of use cases at a time (the programme's cities first: network.js).
export const NetworkUseCases = /* GraphQL */ `
  query NetworkUseCases($filter: UseCaseFilter, $first: Int!, $after: String, $lang: Language!) {
    useCases(filter: $filter, first: $first, after: $after, sort: {by: NAME}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        slug
        title(lang: $lang)
        status
        territories(first: 50) { nodes { id slug name(lang: $lang) country } }
        actors(first: 50) { edges { role node { id slug name(lang: $lang) kind } } }
      }
    }
  }
`;

// The map's filters with their counts (programme status, country), the other filter kept.
export const MapFacets = /* GraphQL */ `
  query MapFacets($filter: TerritoryFilter!) {
    territories(filter: $filter, first: 0) {
      totalCount
      facets { statuses { key count } countries { key count } }
    }
  }
`;

// The network's filters with their counts: how many use cases each domain or country would show,
// the other filters kept (facets are counted by the store, in one round trip).
export const NetworkFacets = /* GraphQL */ `
  query NetworkFacets($filter: UseCaseFilter) {
    useCases(filter: $filter, first: 0) {
      totalCount
      facets { domains { key count } countries { key count } }
    }
  }
`;

// Where the organisations drawn work, with their role there (the network's PRESENT_IN links).
export const ActorPresence = /* GraphQL */ `
  query ActorPresence($ids: [ID!]!) {
    nodes(ids: $ids) { ... on Actor { id territories(first: 50) { edges { role node { id } } } } }
  }
`;

// The programme's own cities (every programme status but PEER and UNKNOWN): the first view.
export const ProgrammeTerritories = /* GraphQL */ `
  query ProgrammeTerritories {
    territories(filter: {statuses: [PILOT_CITY, ROADMAP_PARTICIPANT, FIRST_WORKSHOP_DONE, IN_DISCUSSION]}, first: 100) {
      nodes { id slug }
    }
  }
`;

export const Record = /* GraphQL */ `
  query Record($id: ID!, $lang: Language!) {
    node(id: $id) {
      __typename
      id
      ... on Entry { slug url label(lang: $lang) sources { url title } }
      ... on Described { summary(lang: $lang) }
      ... on Territory { country territoryKind: kind programmeStatus }
      ... on Actor { actorKind: kind actorCountry: country website }
      ... on UseCase { useCaseStatus: status governance yearStart yearEnd reviewState }
      ... on Priority { priorityStatus: status }
      ... on Experiment { experimentStatus: status }
    }
  }
`;

// Below every record's panel: how complete it is (what is missing) and its history, the versions the
// caller may see, newest first, each with what changed and its sources then.
export const RecordQuality = /* GraphQL */ `
  query RecordQuality($id: ID!, $limit: Int!) {
    node(id: $id) {
      __typename
      id
      ... on Entry {
        slug
        completeness { percent declaredFields unknownFields inferences homePageOnly }
        history(limit: $limit) { version at action changes { field before after } sources { url title } }
      }
      ... on UseCase { reviewState contributor { slug } }
    }
  }
`;

// The territory panel: whom to call there (organisations with their role, kind and website), the use
// cases run there, its roadmap priorities and workshops, each with its sources.
export const TerritoryPanel = /* GraphQL */ `
  query TerritoryPanel($id: ID!, $lang: Language!) {
    node(id: $id) {
      ... on Territory {
        id slug url name(lang: $lang) summary(lang: $lang) country kind programmeStatus
        sources { url title }
        actors(first: 100) {
          totalCount
          edges { role node { id slug name(lang: $lang) kind website sources { url title } } }
        }
        useCases(first: 100) { totalCount nodes { id slug title(lang: $lang) status reviewState sources { url title } } }
        priorities(first: 100) { totalCount nodes { id slug title(lang: $lang) status sources { url title } } }
        workshops(first: 100) { totalCount nodes { id slug title(lang: $lang) kind date sources { url title } } }
      }
    }
  }
`;

export const PartnerCities = /* GraphQL */ `
  query PartnerCities($territory: ID!, $first: Int!, $lang: Language!) {
    partnerCities(territory: $territory, first: $first, lang: $lang) {
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
        territories(first: 10) { nodes { id name(lang: $lang) } }
      }
      reasons { kind label weight }
    }
  }
`;

export const PathBetween = /* GraphQL */ `
  query PathBetween($from: ID!, $to: ID!, $lang: Language!, $kinds: [RecordKind!]) {
    path(from: $from, to: $to, kinds: $kinds) {
      length
      nodes { __typename id ... on Entry { slug label(lang: $lang) } }
      steps { relation forward role statedBy { id } }
    }
  }
`;

// The hubs view asks only for the review states it shows (hubs and coordinators may filter by
// them): the case studies in progress, 100 at most, never a walk through the registry.
export const CaseStudies = /* GraphQL */ `
  query CaseStudies($lang: Language!, $states: [ReviewState!]!) {
    useCases(filter: {reviewStates: $states}, first: 100, sort: {by: CREATED, descending: true}) {
      totalCount
      nodes {
        id
        slug
        url
        version
        title(lang: $lang)
        titleI18n { fr en }
        summary(lang: $lang)
        summaryI18n { fr en }
        status
        governance
        dataCategories
        yearStart
        yearEnd
        country
        hub
        contributor { slug name }
        changes { field before after }
        reviewState
        reviewNote
        sources { url title }
        domains(first: 50) { nodes { slug name(lang: $lang) } }
        territories(first: 50) { nodes { slug name(lang: $lang) country } }
      }
    }
  }
`;

// Case studies this page showed in progress and that left those states (published): by ID.
export const CaseStudiesById = /* GraphQL */ `
  query CaseStudiesById($ids: [ID!]!, $lang: Language!) {
    nodes(ids: $ids) {
      ... on UseCase {
        id
        slug
        url
        version
        title(lang: $lang)
        titleI18n { fr en }
        summary(lang: $lang)
        summaryI18n { fr en }
        status
        governance
        dataCategories
        yearStart
        yearEnd
        country
        hub
        contributor { slug name }
        changes { field before after }
        reviewState
        reviewNote
        sources { url title }
        domains(first: 50) { nodes { slug name(lang: $lang) } }
        territories(first: 50) { nodes { slug name(lang: $lang) country } }
      }
    }
  }
`;

export const SubmitCaseStudy = /* GraphQL */ `
  mutation SubmitCaseStudy($input: CaseStudyInput!, $draft: Boolean!, $key: String) {
    submitCaseStudy(input: $input, draft: $draft, idempotencyKey: $key) {
      useCase { id slug version reviewState }
      errors { code field fields message params }
    }
  }
`;

export const UpdateCaseStudy = /* GraphQL */ `
  mutation UpdateCaseStudy($id: ID!, $version: Int!, $input: CaseStudyInput!, $submit: Boolean!, $key: String) {
    updateCaseStudy(id: $id, version: $version, input: $input, submit: $submit, idempotencyKey: $key) {
      useCase { id slug version reviewState }
      errors { code field fields message params }
    }
  }
`;

export const PublishCaseStudy = /* GraphQL */ `
  mutation PublishCaseStudy($id: ID!, $version: Int!, $key: String) {
    publishCaseStudy(id: $id, version: $version, idempotencyKey: $key) {
      useCase { id version reviewState }
      errors { code field fields message params }
    }
  }
`;

export const RejectCaseStudy = /* GraphQL */ `
  mutation RejectCaseStudy($id: ID!, $version: Int!, $reason: String!, $key: String) {
    rejectCaseStudy(id: $id, version: $version, reason: $reason, idempotencyKey: $key) {
      useCase { id version reviewState reviewNote }
      errors { code field fields message params }
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
