using Digest.Worker.Cli;

// In a terminal, log lines go through a writer that can hold them while the progress bar is live.
if (!Console.IsErrorRedirected) Console.SetError(new HeldWriter(Console.Error));
return await DigestCli.RunAsync(args, Console.Out, Console.Error);
