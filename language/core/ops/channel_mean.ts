// The mean over channels: C×H×W to 1×H×W (torch.mean(x, 1, keepdim=True), CBAM's ChannelPool).

import { channelReduction } from './op';

export const channel_mean = channelReduction('channel_mean', 'Mean over the channels, kept as one channel.', 'ReduceMean', 'torch.mean');
