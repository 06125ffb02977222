import { runPost } from './action/post-main.js'

void runPost()
