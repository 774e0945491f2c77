using Microsoft.Extensions.Hosting;

namespace TaskFlow.Hosting;

/// <summary>The silo an application hosts in its own process (Embedded mode): clustering, the runtime, the storage
/// the options name, and argument encryption when asked for.</summary>
internal sealed class EmbeddedSilo : ITaskFlowEmbeddedSilo
{
    public void AddTo(IHostApplicationBuilder builder, TaskFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.UseOrleans(silo => SiloBuilderTaskFlowExtensions.UseTaskFlow(silo, builder.Configuration, options, configureOptions: null, tasks: null));
    }
}
