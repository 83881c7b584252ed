using OpenDesign.Workflows.Activities;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Api.Temporal;

internal static class ExternalModeSetup
{
    public static IServiceCollection AddExternalMode(this IServiceCollection services, IConfiguration configuration, OdOptions options)
    {
        var temporal = new TemporalOptions();
        try
        {
            configuration.GetSection("Temporal").Bind(temporal);
        }
        catch (InvalidOperationException e)
        {
            throw new Hosting.StartupRefusedException($"a setting in the Temporal section is invalid: {e.InnerException?.Message ?? e.Message}", e);
        }
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(temporal));
        services.AddSingleton<TemporalRuntime>();
        services.AddHostedService(sp => sp.GetRequiredService<TemporalRuntime>());
        services.AddSingleton<IExternalMediaDispatcher, TemporalMediaDispatcher>();
        services.AddSingleton<Domain.MediaTasks.IMediaTaskDispatcher, TemporalMediaTaskDispatcher>();
        services.AddHostedService<Sse.EventTail>();

        services.AddMediaRequestActivities(PublicBaseUrl(configuration, options));
        services.AddMediaTaskActivities();
        return services;
    }

    /// <summary>Where executors call back: Od:PublicBaseUrl, else the first address the service listens on.</summary>
    private static string PublicBaseUrl(IConfiguration configuration, OdOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl)) return options.PublicBaseUrl;
        var first = Hosting.ListenAddresses.From(configuration).First();
        return first.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal);
    }
}
