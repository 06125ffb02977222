import { runPost } from './action/post-main.js'

await runPost()
