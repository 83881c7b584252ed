using Temporalio.Client;

namespace OpenDesign.Workflows.Temporal.Testing;

// A test-framework-neutral fixture. InitializeAsync/DisposeAsync have exactly the shape of xunit
// v3's IAsyncLifetime, so a test project declares
//     public sealed class TemporalFixture : TemporalTestFixture, IAsyncLifetime;
// and uses it as a class or collection fixture; this library then needs no xunit dependency.
// Override Options to ask for time skipping or extra search attributes.
public class TemporalTestFixture : IAsyncDisposable
{
    private TemporalTestEnvironment? _environment;

    protected virtual TemporalTestEnvironmentOptions Options => new();

    public TemporalTestEnvironment Environment =>
        _environment ?? throw new InvalidOperationException("the fixture has not been initialised");

    public ITemporalClient Client => Environment.Client;

    public virtual async ValueTask InitializeAsync() =>
        _environment = await TemporalTestEnvironment.StartAsync(Options);

    public virtual async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
