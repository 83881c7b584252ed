using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Activities.Executor;
using OpenDesign.Workflows.Workflows;

namespace OpenDesign.Workflows.Activities;

public static class ActivityServices
{
    /// <summary>The external-media activities and their executor client, as the worker and the tests build them.</summary>
    public static IServiceCollection AddMediaRequestActivities(this IServiceCollection services, string publicBaseUrl, TimeSpan? executorTimeout = null)
    {
        services.AddHttpClient(ExecutorClientFactory.HttpClientName, c => c.Timeout = executorTimeout ?? TimeSpan.FromSeconds(30));
        services.AddSingleton<ExecutorClientFactory>();
        services.AddSingleton<ExecutorAuthHeaders>();
        services.AddSingleton(new CallbackUrls(publicBaseUrl));
        services.AddScoped<IMediaRequestActivities, MediaRequestActivities>();
        return services;
    }
}
