using System.Runtime.CompilerServices;

// The integration tests check internals such as the cluster directory, which is deliberately not public API.
[assembly: InternalsVisibleTo("FactoryPulse.Dump.IntegrationTests")]
